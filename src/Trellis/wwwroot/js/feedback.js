// Evidence pages: colleague pickers, the behaviour anchors next to the rating, and live feedback quality warnings.
(function () {
  "use strict";

  function debounce(fn, ms) {
    let timer = null;
    return function (...args) {
      clearTimeout(timer);
      timer = setTimeout(() => fn.apply(this, args), ms);
    };
  }

  // Colleague pickers: <input data-colleague-picker list="…"> fill their datalist from the colleague search.
  document.querySelectorAll("input[data-colleague-picker]").forEach((input) => {
    const list = document.getElementById(input.getAttribute("list"));
    if (!list) return;
    let last = null;
    input.addEventListener("input", debounce(async () => {
      const q = input.value.trim();
      if (q.length < 1 || q === last || /\([^()]+\)\s*$/.test(q)) return;
      last = q;
      const response = await fetch("/api/v1/evidence/colleagues?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } });
      if (!response.ok) return;
      const people = await response.json();
      list.replaceChildren(...people.map((p) => {
        const option = document.createElement("option");
        option.value = `${p.name} (${p.id})`;
        option.label = [p.title, p.department].filter(Boolean).join(" · ");
        return option;
      }));
    }, 200));
  });

  // The five anchors of the chosen behaviour next to the rating choice.
  const anchorData = document.getElementById("behavior-anchors");
  const behavior = document.getElementById("behavior");
  if (anchorData && behavior) {
    const behaviors = JSON.parse(anchorData.textContent);
    const description = document.getElementById("behavior-description");
    behavior.addEventListener("change", () => {
      const chosen = behaviors[behavior.value];
      if (description) description.textContent = chosen ? chosen.description : "";
      document.querySelectorAll(".anchor[data-rating]").forEach((span) => {
        span.textContent = chosen ? (chosen.anchors[span.dataset.rating] || "") : "Choose a behaviour to see what this rating means.";
      });
    });
  }

  // Live quality warnings while typing a comment (they inform; saving is never blocked).
  const comment = document.getElementById("comment");
  const quality = document.getElementById("quality");
  if (comment && quality) {
    const url = quality.dataset.checkUrl;
    let sequence = 0;
    const render = (text, warnings) => {
      quality.replaceChildren();
      if (warnings.length === 0) {
        if (text.trim().length > 0) {
          const ok = document.createElement("p");
          ok.className = "quality-ok";
          ok.textContent = "Specific and about behaviour — thank you.";
          quality.append(ok);
        }
        return;
      }
      const list = document.createElement("ul");
      list.className = "quality-warnings";
      for (const w of warnings) {
        const item = document.createElement("li");
        item.dataset.code = w.code;
        item.className = "quality-warning " + w.code.split("_")[0];
        item.textContent = w.message;
        list.append(item);
      }
      quality.append(list);
    };
    const check = debounce(async () => {
      const text = comment.value;
      const mine = ++sequence;
      const response = await fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ comment: text }),
      });
      if (!response.ok || mine !== sequence) return;
      const body = await response.json();
      render(text, body.warnings);
    }, 350);
    comment.addEventListener("input", check);
    if (comment.value.trim().length > 0) check();
  }
})();
