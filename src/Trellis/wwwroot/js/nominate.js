// Nominating by name: the Person field suggests the people you may nominate (type-ahead over the cycle's nominees API),
// fills in their id, and narrows the target list to the levels they may be nominated for. Without script the name is
// resolved on the server.
(function () {
    const form = document.getElementById("nominate");
    if (!form) return;
    const person = form.querySelector("input[name=Person]");
    const id = form.querySelector("input[name=EmployeeId]");
    const target = form.querySelector("select[name=TargetLevel]");
    const list = document.getElementById("nominees");
    const known = new Map();
    let timer = null;

    function pick() {
        const p = known.get(person.value.trim().toLowerCase());
        id.value = p ? p.employee_id : "";
        const allowed = p ? new Set(p.targets.map(t => t.key)) : null;
        for (const option of target.querySelectorAll("option[value]:not([value=''])")) {
            option.disabled = allowed !== null && !allowed.has(option.value);
        }
        if (allowed && target.selectedOptions[0] && target.selectedOptions[0].disabled) target.value = "";
        if (allowed && allowed.size > 0 && !target.value) target.value = p.targets[0].key;
    }

    async function search() {
        const response = await fetch(form.dataset.nominees + "?q=" + encodeURIComponent(person.value.trim()), { headers: { Accept: "application/json" } });
        if (!response.ok) return;
        const people = await response.json();
        list.replaceChildren();
        for (const p of people) {
            known.set(p.name.toLowerCase(), p);
            const option = document.createElement("option");
            option.value = p.name;
            option.label = `${p.employee_id} · ${p.level_name} (${p.level})${p.department ? " · " + p.department : ""}`;
            list.appendChild(option);
        }
        pick();
    }

    person.addEventListener("input", () => {
        pick();
        clearTimeout(timer);
        timer = setTimeout(search, 150);
    });
    person.addEventListener("change", pick);
    search();
})();
