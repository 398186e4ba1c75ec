// Bull Board (/admin/queues) made to pass axe-core like every page of the app: its header's icon
// buttons get names, its decorative Redis logo is hidden from assistive technology. Bull Board is
// a React bundle that redraws itself, so the fixes are applied again after every change.
(() => {
  const NAMES = [
    ['.lucide-maximize', 'Full screen'],
    ['.lucide-minimize', 'Leave full screen'],
    ['.lucide-settings', 'Settings'],
    ['.lucide-ellipsis-vertical', 'More actions for this queue'],
    ['.rds-b1', 'Redis details'],
  ];
  const nameOf = (button) => {
    for (const [selector, name] of NAMES) if (button.querySelector(selector)) return name;
    // The Redis logo is drawn from markup the selector engine may not see into.
    if (button.innerHTML.includes('rds-b1')) return 'Redis details';
    // Any other icon-only button: the icon's name in words ("lucide-refresh-cw" → "refresh cw").
    const icon = [...(button.querySelector('svg[class*="lucide-"]')?.classList ?? [])].find((c) =>
      c.startsWith('lucide-'),
    );
    return icon ? icon.slice('lucide-'.length).replaceAll('-', ' ') : null;
  };
  const fix = () => {
    for (const button of document.querySelectorAll('button:not([aria-label])')) {
      // biome-ignore lint/performance/useDomNodeTextContent: textContent would count an SVG's <style> as text
      if (button.innerText.trim()) continue;
      const name = nameOf(button);
      if (name) button.setAttribute('aria-label', name);
    }
    for (const svg of document.querySelectorAll('button svg[role="img"]:not([aria-hidden])')) {
      svg.setAttribute('aria-hidden', 'true');
    }
    // A badge's accessible name must contain the words it shows ("2" → "2 workers").
    for (const badge of document.querySelectorAll('[class*="workersBadge"][aria-label]')) {
      const shown = badge.textContent.trim();
      const label = badge.getAttribute('aria-label');
      if (shown && !label.includes(shown)) badge.setAttribute('aria-label', `${shown} ${label}`);
    }
  };
  document.addEventListener('DOMContentLoaded', () => {
    fix();
    new MutationObserver(fix).observe(document.body, { childList: true, subtree: true });
  });
})();
