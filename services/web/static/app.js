// Progressive enhancement for the staff pages. No inline script anywhere: the CSP forbids it.
(() => {
  const countdowns = () => document.querySelectorAll('time.countdown');
  const format = (ms) => {
    const late = ms < 0;
    let s = Math.floor(Math.abs(ms) / 1000);
    const h = Math.floor(s / 3600);
    s -= h * 3600;
    const m = Math.floor(s / 60);
    const text = h >= 24 ? `${Math.floor(h / 24)}d ${h % 24}h` : `${h}h ${String(m).padStart(2, '0')}m`;
    return late ? `${text} overdue` : `in ${text}`;
  };
  const tick = () => {
    const now = Date.now();
    for (const el of countdowns()) {
      const due = Date.parse(el.getAttribute('datetime'));
      const posted = Date.parse(el.dataset.posted);
      const left = due - now;
      const share = left / Math.max(1, due - posted);
      const band = left < 0 ? 'breached' : share < 0.25 ? 'under_25pct' : share < 0.5 ? 'under_50pct' : 'ok';
      el.textContent = format(left);
      const row = el.closest('.comment');
      if (row) row.className = `${row.className.replace(/\sband-\S+/g, '')} band-${band}`;
    }
  };
  const rows = () => [...document.querySelectorAll('.inbox .comment')];
  let selected = -1;
  const select = (i) => {
    const list = rows();
    if (!list.length) return;
    selected = Math.max(0, Math.min(list.length - 1, i));
    for (const [j, r] of list.entries()) r.classList.toggle('selected', j === selected);
    list[selected].focus();
  };
  document.addEventListener('keydown', (e) => {
    if (
      e.target instanceof HTMLInputElement ||
      e.target instanceof HTMLSelectElement ||
      e.target instanceof HTMLTextAreaElement
    )
      return;
    if (e.key === 'j') select(selected + 1);
    if (e.key === 'k') select(selected - 1);
  });
  document.addEventListener('DOMContentLoaded', () => {
    tick();
    setInterval(tick, 1000);
  });
})();

// The live inbox and the comment page: shortcuts, new comments over server-sent events, reply
// templates. Comment text only ever reaches the DOM through textContent, never as markup.
(() => {
  const inbox = () => document.querySelector('ol.inbox');
  const rowsOf = () => [...document.querySelectorAll('.inbox .comment')];
  const current = () =>
    document.activeElement?.closest?.('.inbox .comment') ??
    document.querySelector('.inbox .comment.selected');
  const go = (row, suffix) => {
    if (row?.dataset.id) window.location.assign(`/comments/${encodeURIComponent(row.dataset.id)}${suffix}`);
  };
  const typing = (t) =>
    t instanceof HTMLInputElement || t instanceof HTMLSelectElement || t instanceof HTMLTextAreaElement;

  document.addEventListener('keydown', (e) => {
    if (typing(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
    if (!inbox()) return;
    const help = document.getElementById('shortcut-help');
    if (e.key === '?') {
      e.preventDefault();
      if (help && !help.open) help.showModal();
      return;
    }
    const row = current();
    if (e.key === 'Enter' || e.key === 'o') go(row, '');
    else if (e.key === 'r') go(row, '#compose');
    else if (e.key === 'h') go(row, '?do=hide#moderate');
    else if (e.key === 'e') go(row, '?do=escalate#escalate');
    else if (e.key === 'x' && row) {
      const box = row.querySelector('input.select-comment');
      if (box) box.checked = !box.checked;
    }
  });

  // New comments: buffered behind a "N new comments — show" notice so the list never jumps.
  const pending = [];
  const text = (tag, cls, value) => {
    const el = document.createElement(tag);
    if (cls) el.className = cls;
    el.textContent = value;
    return el;
  };
  // Public text goes in its own <bdi>, as on the server (services/core/bidi-isolation.ts): a stray
  // POP DIRECTIONAL ISOLATE is dropped and isolates left open are closed, so an override in a name
  // cannot reorder the row around it.
  const balance = (value) => {
    let open = 0;
    let out = '';
    for (const ch of String(value ?? '')) {
      const c = ch.charCodeAt(0);
      if (c >= 0x2066 && c <= 0x2068) open++;
      else if (c === 0x2069) {
        if (open === 0) continue;
        open--;
      } else if ([0x0a, 0x0d, 0x1c, 0x1d, 0x1e, 0x85, 0x2029].includes(c) && open > 0) {
        out += '\u2069'.repeat(open);
        open = 0;
      }
      out += ch;
    }
    return out + '\u2069'.repeat(open);
  };
  const isolated = (value) => text('bdi', '', balance(value));
  const rowFor = (item) => {
    const li = document.createElement('li');
    li.className = `comment status-${String(item.status).replace(/[^a-z_]/g, '')} live-new`;
    li.dataset.id = item.id;
    li.dataset.urgency = String(item.urgency ?? 2);
    if (item.deadlineAt) li.dataset.deadline = item.deadlineAt;
    li.tabIndex = 0;
    const meta = document.createElement('div');
    meta.className = 'comment-meta';
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.className = 'select-comment';
    box.name = 'commentIds';
    box.value = item.id;
    box.setAttribute('form', 'bulk-ack');
    box.setAttribute('aria-label', 'Select this comment');
    const open = text('a', 'open-comment', 'Open');
    open.href = `/comments/${encodeURIComponent(item.id)}`;
    // As the server draws a row (AccountName, AuthorName): on a platform that knows people by name
    // (Facebook) a Page and a commenter are names, not "@Oakfield Primary School" or "Sarah (@Sarah)".
    const named = (inbox()?.dataset.namedPlatforms ?? '').split(' ').includes(item.platform);
    const account = document.createElement('span');
    account.className = 'account';
    if (named) account.append(isolated(item.accountHandle));
    else account.append('@', isolated(item.accountHandle));
    const author = document.createElement('span');
    author.className = 'author';
    if (named) author.append(isolated(item.authorName));
    else if (item.authorName === `@${item.authorHandle}`) author.append('@', isolated(item.authorHandle));
    else author.append(isolated(item.authorName), ' (@', isolated(item.authorHandle), ')');
    meta.append(box, ' ', open, ' ', account, ' ', author);
    const severity = { high: 'High', medium: 'Medium', low: 'Low' }[item.severity];
    if (severity)
      meta.append(' ', text('strong', `severity-badge severity-${item.severity}`, `${severity} severity`));
    const urgent = { 0: 'Safeguarding', 1: 'Threat' }[item.urgency];
    if (urgent) meta.append(' ', text('strong', 'urgency-badge', urgent));
    // As heldByPlatformText says it (platform-profiles.ts); only YouTube holds comments back.
    if (item.heldByPlatform)
      meta.append(
        ' ',
        text(
          'span',
          'held-badge',
          item.platform === 'youtube' ? 'Held for review by YouTube' : 'Held for review',
        ),
      );
    meta.append(
      ' ',
      text('span', 'assignee', item.assigneeName ? `Assigned to ${item.assigneeName}` : 'Unassigned'),
    );
    if (item.dueState === 'due' || item.dueState === 'breached') {
      const due = text('time', 'countdown', item.deadlineAt.slice(0, 16).replace('T', ' '));
      due.setAttribute('datetime', item.deadlineAt);
      due.dataset.posted = item.postedAt;
      meta.append(' ', text('span', 'deadline', 'due '), due);
    } else if (item.dueState === 'responded') meta.append(' ', text('span', 'deadline done', 'Responded'));
    else if (item.dueState === 'closed') meta.append(' ', text('span', 'deadline done', 'Closed'));
    const body = document.createElement('p');
    body.className = 'comment-text';
    if (item.redacted) body.textContent = 'Redacted under the retention policy';
    else body.append(isolated(item.text));
    const labels = document.createElement('div');
    labels.className = 'comment-labels';
    const seen = new Set();
    for (const l of item.labels || []) {
      const key = `${l.category}: ${String(l.subcategory).replaceAll('_', ' ')}`;
      if (seen.has(key)) continue;
      seen.add(key);
      labels.append(text('span', 'label', key), ' ');
    }
    li.append(meta, body, labels);
    return li;
  };
  const notice = () => document.querySelector('.live-notice');
  const showNotice = () => {
    const n = notice();
    if (!n) return;
    n.querySelector('.live-count').textContent =
      `${pending.length} new comment${pending.length === 1 ? '' : 's'}`;
    n.hidden = pending.length === 0;
  };
  // Where the inbox's order (services/comments/inbox-urgency.ts) puts a row: urgency, then
  // deadline (none last), then id, as the server sorts.
  const keyOf = (urgency, deadline, id) => [
    Number.isFinite(Number(urgency)) ? Number(urgency) : 2,
    deadline ? Date.parse(deadline) : Number.POSITIVE_INFINITY,
    String(id),
  ];
  const before = (x, y) =>
    x[0] - y[0] || (x[1] === y[1] ? (x[2] < y[2] ? -1 : x[2] > y[2] ? 1 : 0) : x[1] < y[1] ? -1 : 1);
  const rowKey = (row) => keyOf(row.dataset.urgency, row.dataset.deadline, row.dataset.id);
  const flush = () => {
    const list = inbox();
    if (!list) return;
    const morePages = !!document.querySelector('.next-page');
    let later = 0;
    while (pending.length) {
      const item = pending.shift();
      const key = keyOf(item.urgency, item.deadlineAt, item.id);
      const next = rowsOf().find((r) => before(key, rowKey(r)) < 0);
      // After the last row while later pages exist: it belongs on one of them, not here.
      if (!next && morePages) {
        later += 1;
        continue;
      }
      const row = rowFor(item);
      if (next) next.before(row);
      else list.append(row);
    }
    document.querySelector('p.empty')?.remove();
    showNotice();
    const note = document.querySelector('.live-later');
    if (note) {
      note.textContent = later
        ? `${later} new comment${later === 1 ? ' is' : 's are'} further down the order, on a later page.`
        : '';
      note.hidden = later === 0;
    }
  };
  document.addEventListener('click', (e) => {
    if (e.target instanceof Element && e.target.closest('.live-show')) flush();
  });
  const listen = () => {
    const list = inbox();
    if (list?.dataset.live !== 'on' || !('EventSource' in window)) return;
    const source = new EventSource('/api/inbox/events');
    source.addEventListener('comment', (ev) => {
      let item;
      try {
        item = JSON.parse(ev.data);
      } catch {
        return;
      }
      if (!item || typeof item.id !== 'string') return;
      if (rowsOf().some((r) => r.dataset.id === item.id) || pending.some((p) => p.id === item.id)) return;
      pending.push(item);
      showNotice();
    });
    window.addEventListener('pagehide', () => source.close());
  };

  // The comment page: templates fill the composer; r / h / e from the inbox land on their form.
  const templates = () => {
    const select = document.querySelector('select.reply-template');
    const area = document.getElementById('reply-text');
    if (!select || !area) return;
    select.addEventListener('change', () => {
      const chosen = select.selectedOptions[0];
      if (chosen?.dataset.text) area.value = chosen.dataset.text;
    });
  };
  const focusTarget = () => {
    const target = { '#compose': 'reply-text', '#moderate': 'reason-text', '#escalate': 'escalation-reason' }[
      window.location.hash
    ];
    if (target) document.getElementById(target)?.focus();
  };

  document.addEventListener('DOMContentLoaded', () => {
    listen();
    templates();
    focusTarget();
  });
  // The browser moves to the #fragment after DOMContentLoaded; focus the field once more after it.
  window.addEventListener('load', focusTarget);
})();

// The GOV.UK error summary: focused when the page opens, so a screen reader reads it first; each
// link moves the focus to its field (and shows the field's label), not only the scroll position.
(() => {
  document.addEventListener('DOMContentLoaded', () => {
    const summary = document.querySelector('.error-summary');
    if (!summary) return;
    summary.focus();
    summary.addEventListener('click', (e) => {
      const link = e.target instanceof Element ? e.target.closest('a[href^="#"]') : null;
      if (!link) return;
      const field = document.getElementById(decodeURIComponent(link.getAttribute('href').slice(1)));
      if (!field) return;
      e.preventDefault();
      const label =
        field.closest('label') ??
        (field.id ? document.querySelector(`label[for="${CSS.escape(field.id)}"]`) : null);
      (label ?? field).scrollIntoView();
      field.focus({ preventScroll: true });
    });
  });
})();
