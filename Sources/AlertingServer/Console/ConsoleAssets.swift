/// The console's stylesheet and its one script, served from `/console/assets/` (the
/// Content-Security-Policy allows scripts and styles from the console's own origin only).
enum ConsoleAssets {
    static let css = """
    :root { --fg: #1d2430; --muted: #5b6575; --line: #d8dde6; --bg: #f6f7f9; --card: #fff; --crit: #b3261e; --warn: #9a6700; --ok: #1a7f37; --accent: #1f5fbf; }
    * { box-sizing: border-box; }
    body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
    header { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; padding: .6rem 1rem; background: #1d2430; color: #fff; }
    header a { color: #fff; text-decoration: none; }
    header .brand { font-weight: 700; font-size: 1.1rem; }
    header nav { display: flex; flex-wrap: wrap; gap: .2rem .8rem; }
    header nav a[aria-current] { text-decoration: underline; }
    header .signout { margin-left: auto; display: flex; gap: .5rem; align-items: center; }
    main { max-width: 1100px; margin: 0 auto; padding: 1rem; }
    footer { color: var(--muted); font-size: .8rem; text-align: center; padding: 1rem; }
    h1 small, h2 small { color: var(--muted); font-weight: 400; font-size: .9rem; }
    .card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: .8rem 1rem; margin: .8rem 0; }
    .narrow { max-width: 360px; }
    label { display: block; margin: .4rem 0; }
    input, select, button { font: inherit; padding: .35rem .5rem; border: 1px solid var(--line); border-radius: 6px; }
    button { background: var(--accent); color: #fff; border-color: var(--accent); cursor: pointer; }
    button.resolve { background: var(--ok); border-color: var(--ok); }
    header button { background: transparent; border-color: #fff; }
    .filters { display: flex; flex-wrap: wrap; gap: .4rem; margin-bottom: .8rem; }
    ul.alerts { list-style: none; padding: 0; margin: 0; }
    li.alert { background: var(--card); border: 1px solid var(--line); border-left: 5px solid var(--muted); border-radius: 8px; padding: .6rem .8rem; margin: .5rem 0; }
    li.alert.sev-critical { border-left-color: var(--crit); }
    li.alert.sev-warning { border-left-color: var(--warn); }
    li.alert.st-acknowledged { opacity: .85; }
    .summary { font-weight: 600; color: var(--fg); }
    .facts { color: var(--muted); font-size: .9rem; }
    .badge { display: inline-block; padding: 0 .4rem; border-radius: 4px; background: #e8ebf0; color: var(--fg); font-size: .8rem; }
    form.act { display: flex; flex-wrap: wrap; gap: .4rem; margin-top: .4rem; }
    form.act input { flex: 1 1 10rem; }
    form.inline { display: inline; }
    .notice { background: #e7f4ea; border: 1px solid #b7dfc1; padding: .5rem .8rem; border-radius: 6px; }
    .problem { background: #fdecea; border: 1px solid #f3b8b3; padding: .5rem .8rem; border-radius: 6px; }
    .hint, .empty { color: var(--muted); }
    table { border-collapse: collapse; width: 100%; background: var(--card); }
    th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
    tr.override td { background: #fff6db; }
    tr.missed td { background: #fdecea; }
    dl.facts-table { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
    dl.facts-table dt { color: var(--muted); }
    dl.facts-table dd { margin: 0; overflow-wrap: anywhere; }
    ol.timeline li { margin: .2rem 0; overflow-wrap: anywhere; }
    .override-form { display: flex; flex-wrap: wrap; gap: .4rem 1rem; align-items: end; }
    .override-form label { margin: 0; }
    nav.pages { display: flex; gap: 1rem; justify-content: center; margin: 1rem 0; }
    pre { white-space: pre-wrap; overflow-wrap: anywhere; }
    @media (max-width: 600px) { main { padding: .5rem; } header .signout { margin-left: 0; } th, td { padding: .25rem; } }
    """

    /// Reloads a page that asks for it (`data-refresh` seconds) unless someone is typing in it,
    /// names the viewer's time zone, and adds the viewer's time to times in a schedule's zone.
    static let javascript = """
    (function () {
      var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      document.querySelectorAll('[data-local-zone]').forEach(function (node) { node.textContent = zone; });
      // A time shown in a schedule's zone gets the viewer's own beside it.
      document.querySelectorAll('time[data-local]').forEach(function (node) {
        var date = new Date(node.getAttribute('datetime'));
        if (isNaN(date)) { return; }
        var mine = date.toLocaleString([], { weekday: 'short', hour: '2-digit', minute: '2-digit', hour12: false });
        node.textContent = node.textContent + ' (' + mine + ' ' + zone + ')';
      });
      var seconds = parseInt(document.body.getAttribute('data-refresh') || '0', 10);
      if (!seconds) { return; }
      setInterval(function () {
        var active = document.activeElement;
        var typing = active && (active.tagName === 'INPUT' || active.tagName === 'TEXTAREA' || active.tagName === 'SELECT') && active.value;
        if (!typing && !document.hidden) { window.location.reload(); }
      }, seconds * 1000);
    })();
    """
}
