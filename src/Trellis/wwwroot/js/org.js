// The org chart: lazy tree of reporting lines, paging, and find (moved out of the page so the CSP can forbid inline scripts).
(() => {
    const pageSize = 100;
    const tree = document.getElementById('org-tree');
    const errorBox = document.getElementById('org-error');

    function showError(message) { errorBox.textContent = message; errorBox.hidden = false; }

    async function getJson(url) {
        const response = await fetch(url, { headers: { 'Accept': 'application/json' } });
        if (!response.ok) {
            let detail = response.statusText;
            try { detail = (await response.json()).detail || detail; } catch { }
            throw new Error(`${url}: ${response.status} ${detail}`);
        }
        return response.json();
    }

    function nodeItem(node) {
        const li = document.createElement('li');
        li.setAttribute('role', 'treeitem');
        li.dataset.id = node.id;
        const row = document.createElement('div');
        row.className = 'org-node';
        const toggle = document.createElement('button');
        toggle.type = 'button';
        toggle.className = 'org-toggle';
        if (node.direct_reports > 0) {
            li.setAttribute('aria-expanded', 'false');
            toggle.textContent = '▸';
            toggle.setAttribute('aria-label', `Show the direct reports of ${node.name}`);
            toggle.addEventListener('click', () => toggleNode(li));
        } else {
            toggle.textContent = '·';
            toggle.disabled = true;
            toggle.setAttribute('aria-hidden', 'true');
        }
        const link = document.createElement('a');
        link.href = `/people/${encodeURIComponent(node.id)}`;
        link.textContent = node.name;
        const meta = document.createElement('span');
        meta.className = 'muted';
        meta.textContent = [node.title, node.level, node.department].filter(Boolean).join(' · ');
        const counts = document.createElement('span');
        counts.className = 'org-counts badge';
        counts.title = 'direct · total reports';
        counts.textContent = `${node.direct_reports} · ${node.total_reports}`;
        row.append(toggle, link, ' ', meta, ' ', counts);
        li.append(row);
        return li;
    }

    // Loads the next page of a level into list; returns the number of children now shown.
    async function loadPage(list, parentId) {
        const shown = list.querySelectorAll(':scope > li[data-id]').length;
        const page = Math.floor(shown / pageSize) + 1;
        const url = `/api/v1/org/nodes?page=${page}&page_size=${pageSize}` + (parentId ? `&parent_id=${encodeURIComponent(parentId)}` : '');
        const data = await getJson(url);
        list.querySelector(':scope > li.org-more')?.remove();
        for (const node of data.items) list.append(nodeItem(node));
        const now = list.querySelectorAll(':scope > li[data-id]').length;
        if (now < data.total) {
            const more = document.createElement('li');
            more.className = 'org-more';
            const button = document.createElement('button');
            button.type = 'button';
            button.className = 'secondary';
            button.textContent = `Show ${Math.min(pageSize, data.total - now)} more of ${data.total - now} remaining`;
            button.addEventListener('click', () => loadPage(list, parentId).catch(e => showError(e.message)));
            more.append(button);
            list.append(more);
        }
        return data.total;
    }

    async function expand(li) {
        if (li.getAttribute('aria-expanded') !== 'false') return;
        let list = li.querySelector(':scope > ul');
        if (!list) {
            list = document.createElement('ul');
            list.setAttribute('role', 'group');
            li.append(list);
            await loadPage(list, li.dataset.id);
        }
        list.hidden = false;
        li.setAttribute('aria-expanded', 'true');
        li.querySelector(':scope > .org-node > .org-toggle').textContent = '▾';
    }

    function collapse(li) {
        const list = li.querySelector(':scope > ul');
        if (list) list.hidden = true;
        li.setAttribute('aria-expanded', 'false');
        li.querySelector(':scope > .org-node > .org-toggle').textContent = '▸';
    }

    function toggleNode(li) {
        if (li.getAttribute('aria-expanded') === 'true') collapse(li);
        else expand(li).catch(e => showError(e.message));
    }

    // Finds the child with this id in a level, loading further pages as needed.
    async function childOf(list, parentId, id) {
        for (;;) {
            const found = [...list.querySelectorAll(':scope > li[data-id]')].find(li => li.dataset.id === id);
            if (found) return found;
            if (!list.querySelector(':scope > li.org-more')) return null;
            await loadPage(list, parentId);
        }
    }

    async function reveal(id) {
        const path = await getJson(`/api/v1/org/path/${encodeURIComponent(id)}`);
        let list = tree, parentId = null, li = null;
        for (const node of path.path) {
            li = await childOf(list, parentId, node.id);
            if (!li) throw new Error(`${node.name} is not in the chart any more; reload the page.`);
            if (node.id !== id) {
                await expand(li);
                list = li.querySelector(':scope > ul');
                parentId = node.id;
            }
        }
        tree.querySelectorAll('.org-node.focused').forEach(n => n.classList.remove('focused'));
        const row = li.querySelector(':scope > .org-node');
        row.classList.add('focused');
        row.scrollIntoView({ block: 'center' });
        row.querySelector('a').focus();
    }

    document.getElementById('find-form').addEventListener('submit', async event => {
        event.preventDefault();
        const q = document.getElementById('find').value.trim();
        const results = document.getElementById('find-results');
        results.replaceChildren();
        if (!q) return;
        try {
            const data = await getJson(`/api/v1/employees?q=${encodeURIComponent(q)}&page_size=10`);
            if (data.items.length === 0) {
                const li = document.createElement('li');
                li.textContent = `Nobody matches "${q}".`;
                results.append(li);
            }
            for (const person of data.items) {
                const li = document.createElement('li');
                const button = document.createElement('button');
                button.type = 'button';
                button.className = 'link';
                button.textContent = `${person.name} (${person.id})` + (person.title ? ` — ${person.title}` : '');
                button.addEventListener('click', () => reveal(person.id).catch(e => showError(e.message)));
                li.append(button);
                results.append(li);
            }
            if (data.total > data.items.length) {
                const li = document.createElement('li');
                li.className = 'muted';
                li.textContent = `…and ${data.total - data.items.length} more: narrow the search.`;
                results.append(li);
            }
        } catch (e) { showError(e.message); }
    });

    loadPage(tree, null)
        .then(() => tree.dataset.focus ? reveal(tree.dataset.focus) : null)
        .catch(e => showError(e.message));
})();
