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
