// The culture audit dashboard (/audit). The audit is computed in the background when the data changes; this script
// asks the server how that is going (GET /api/v1/audit/status) and, when a newer result exists, swaps the new figures
// into #audit-body without reloading the page. No inline script: the pages run under a strict Content-Security-Policy.
(() => {
    'use strict';
    const status = document.getElementById('audit-status');
    if (!status) return;

    // The cycle picker submits itself when changed (was an inline onchange handler).
    for (const select of document.querySelectorAll('select[data-submit-on-change]'))
        select.addEventListener('change', () => select.form.submit());

    const cycle = status.dataset.cycle || '';
    const query = cycle ? `?cycle=${encodeURIComponent(cycle)}` : '';
    const updating = document.getElementById('audit-updating');
    const computed = document.getElementById('audit-computed');
    const body = document.getElementById('audit-body');
    let shown = Number(status.dataset.computedAt || 0);

    const pad = n => String(n).padStart(2, '0');
    const utc = ms => {
        const d = new Date(ms);
        return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
    };
    const hhmm = ms => { const d = new Date(ms); return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`; };

    async function swapIn(at) {
        const params = new URLSearchParams(location.search);
        params.set('handler', 'body');
        const response = await fetch(`/audit?${params}`, { headers: { Accept: 'text/html' }, credentials: 'same-origin' });
        if (response.status !== 200) return;
        body.innerHTML = await response.text();
        shown = at;
        status.dataset.computedAt = String(at);
        computed.textContent = `Computed ${utc(at)} UTC from the cached result.`;
    }

    async function poll() {
        let wait = 5000;
        try {
            const response = await fetch(`/api/v1/audit/status${query}`, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
            if (response.ok) {
                const s = await response.json();
                if (s.computing) {
                    const dates = s.dates_total > 0 ? `, ${s.dates_done} of ${s.dates_total} decision dates` : '';
                    updating.textContent = `updating… (started ${hhmm(Date.parse(s.started_at))}${dates})`;
                    updating.hidden = false;
                    wait = 1000;
                } else {
                    updating.hidden = true;
                }
                const at = s.computed_at ? Date.parse(s.computed_at) : 0;
                if (at > shown) await swapIn(at);
            }
        } catch {
            // The server is restarting or the network dropped: try again later.
        }
        setTimeout(poll, wait);
    }
    setTimeout(poll, updating && !updating.hidden ? 1000 : 2000);
})();
