import Mustache

/// The console's pages: Mustache templates (values are HTML-escaped), a header and a footer
/// every page includes. No script in them: the Content-Security-Policy allows only
/// `console.js`, served beside `console.css`.
enum ConsoleTemplates {
    static func library() throws -> MustacheLibrary {
        var library = MustacheLibrary()
        for (name, text) in all { try library.register(text, named: name) }
        return library
    }

    static let all: [String: String] = [
        "header": header, "footer": footer, "login": login, "alerts": alerts, "alert": alert, "oncall": oncall,
        "silences": silences, "heartbeats": heartbeats, "status": status, "message": message,
    ]

    static let header = """
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>{{title}} · notify</title>
    <link rel="stylesheet" href="{{base}}/assets/console.css">
    <script src="{{base}}/assets/console.js" defer></script>
    </head>
    <body{{#refresh}} data-refresh="{{refresh}}"{{/refresh}}>
    <header>
    <a class="brand" href="{{base}}">notify</a>
    {{#person}}
    <nav>
    <a href="{{base}}"{{#navAlerts}} aria-current="page"{{/navAlerts}}>Alerts</a>
    <a href="{{base}}/oncall"{{#navOnCall}} aria-current="page"{{/navOnCall}}>On call</a>
    <a href="{{base}}/silences"{{#navSilences}} aria-current="page"{{/navSilences}}>Silences</a>
    <a href="{{base}}/heartbeats"{{#navHeartbeats}} aria-current="page"{{/navHeartbeats}}>Heartbeats</a>
    <a href="{{base}}/status"{{#navStatus}} aria-current="page"{{/navStatus}}>Status</a>
    </nav>
    <form class="signout" method="post" action="{{base}}/logout"><input type="hidden" name="csrf" value="{{csrf}}"><span id="person">{{person}}</span> <button type="submit" id="sign-out">Sign out</button></form>
    {{/person}}
    </header>
    <main>
    {{#notice}}<p class="notice" id="notice">{{notice}}</p>{{/notice}}
    {{#problem}}<p class="problem" id="problem">{{problem}}</p>{{/problem}}
    """

    static let footer = """
    </main>
    <footer>notify {{version}} · {{now}}</footer>
    </body>
    </html>
    """

    static let login = """
    {{> header}}
    <h1>Sign in</h1>
    {{#configured}}
    <form method="post" action="{{base}}/login" class="card narrow" id="login-form">
    <input type="hidden" name="csrf" value="{{csrf}}">
    <input type="hidden" name="next" value="{{next}}">
    <label>Name <input name="name" id="name" autocomplete="username" autocapitalize="none" required value="{{name}}"></label>
    <label>Password <input name="password" id="password" type="password" autocomplete="current-password" required></label>
    <button type="submit" id="sign-in">Sign in</button>
    </form>
    {{/configured}}
    {{^configured}}
    <p>Nobody can sign in yet: give a contact a <code>password_hash</code> (made by <code>notify passwd NAME</code>),
    or set <code>server.console.trusted_header</code> behind a signing-in proxy. See docs/console.md.</p>
    {{/configured}}
    {{> footer}}
    """

    static let alerts = """
    {{> header}}
    <h1>Alerts <small>{{total}} {{statusLabel}}</small></h1>
    <form method="get" action="{{base}}" class="filters" id="filters">
    <select name="status" id="filter-status">{{#statuses}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/statuses}}</select>
    <input name="kind" id="filter-kind" placeholder="kind" value="{{kind}}" size="12">
    <input name="environment" id="filter-environment" placeholder="environment" value="{{environment}}" size="12">
    <input name="q" id="filter-text" placeholder="text" value="{{q}}">
    <button type="submit">Filter</button>
    </form>
    {{^rows}}<p class="empty" id="no-alerts">No {{statusLabel}} alerts.</p>{{/rows}}
    <ul class="alerts">
    {{#rows}}
    <li class="alert sev-{{severity}} st-{{status}}" id="alert-{{id}}" data-alert="{{id}}">
    <div class="line"><a class="summary" href="{{base}}/alerts/{{id}}">#{{id}} {{summary}}</a></div>
    <div class="facts"><span class="badge">{{status}}</span> <span class="badge sev">{{severity}}</span> {{kind}} · {{environment}}/{{source}} · {{age}} old{{#repeats}} · seen {{repeats}} times{{/repeats}}</div>
    <div class="facts">{{#acknowledgedBy}}acknowledged by {{acknowledgedBy}} · {{/acknowledgedBy}}{{#step}}step {{step}} · {{/step}}{{#next}}next {{next}} · {{/next}}{{#paged}}paged {{paged}}{{/paged}}{{^paged}}nobody paged yet{{/paged}}</div>
    {{#open}}
    <form method="post" action="{{base}}/alerts/{{id}}/act" class="act">
    <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="back" value="{{back}}">
    <input name="note" placeholder="note (optional)" aria-label="note">
    {{#triggered}}<button name="action" value="acknowledge" class="ack" id="ack-{{id}}">Acknowledge</button>{{/triggered}}
    <button name="action" value="resolve" class="resolve" id="resolve-{{id}}">Resolve</button>
    </form>
    {{/open}}
    </li>
    {{/rows}}
    </ul>
    <nav class="pages">{{#previous}}<a href="{{previous}}" id="previous-page">← newer</a>{{/previous}} <span>{{range}}</span> {{#following}}<a href="{{following}}" id="next-page">older →</a>{{/following}}</nav>
    {{> footer}}
    """

    static let alert = """
    {{> header}}
    <h1 class="sev-{{severity}}">#{{id}} {{summary}}</h1>
    <dl class="card facts-table">
    <dt>Status</dt><dd id="alert-status">{{status}}{{#acknowledgedBy}} by {{acknowledgedBy}}{{/acknowledgedBy}}{{#acknowledgedAt}} at {{acknowledgedAt}}{{/acknowledgedAt}}</dd>
    <dt>Severity</dt><dd>{{severity}}</dd>
    <dt>Kind</dt><dd>{{kind}}</dd>
    <dt>Where</dt><dd>{{environment}} / {{source}}</dd>
    <dt>Dedup key</dt><dd>{{dedupKey}}</dd>
    <dt>Seen</dt><dd>{{seen}}</dd>
    {{#escalation}}<dt>Escalation</dt><dd>{{escalation}}</dd>{{/escalation}}
    {{#nextStep}}<dt>Next step</dt><dd>{{nextStep}}</dd>{{/nextStep}}
    {{#details}}<dt>{{key}}</dt><dd>{{value}}</dd>{{/details}}
    {{#links}}<dt>Link</dt><dd>{{#href}}<a href="{{href}}" rel="noreferrer noopener">{{text}}</a>{{/href}}{{^href}}{{text}} ({{plain}}){{/href}}</dd>{{/links}}
    </dl>
    {{#open}}
    <form method="post" action="{{base}}/alerts/{{id}}/act" class="act card">
    <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="back" value="{{base}}/alerts/{{id}}">
    <input name="note" id="note" placeholder="note (optional)" aria-label="note">
    {{#triggered}}<button name="action" value="acknowledge" class="ack" id="ack">Acknowledge</button>{{/triggered}}
    <button name="action" value="resolve" class="resolve" id="resolve">Resolve</button>
    </form>
    {{/open}}
    {{#hasPages}}<h2>Paged, in order</h2>
    <ol class="pages-list">{{#pages}}<li>{{at}} {{destination}}{{#resolveNotice}} (resolve notice){{/resolveNotice}}: <strong>{{outcome}}</strong>{{#reason}} ({{reason}}){{/reason}}{{#attempts}}, {{attempts}} attempts{{/attempts}}{{#nextTry}}; next try {{nextTry}}{{/nextTry}}</li>{{/pages}}</ol>{{/hasPages}}
    {{#hasChanges}}<h2>Changes in the hour before it opened</h2><ul>{{#changes}}<li>{{text}}</li>{{/changes}}</ul>{{/hasChanges}}
    <h2>Timeline</h2>
    <ol class="timeline" id="timeline">{{#timeline}}<li>{{text}}</li>{{/timeline}}</ol>
    {{> footer}}
    """

    static let oncall = """
    {{> header}}
    <h1>On call</h1>
    {{^schedules}}<p class="empty">No schedules in the config.</p>{{/schedules}}
    {{#schedules}}
    <section class="card schedule" id="schedule-{{name}}">
    <h2>{{name}} <small>{{timezone}}</small></h2>
    <p>Now: <strong class="now-on-call" id="now-{{name}}">{{now}}</strong>{{#next}} · next: {{next}} from <time datetime="{{nextAtUTC}}" data-local>{{nextAt}}</time>{{/next}}</p>
    <p class="feed">{{#feed}}Calendar feed: <a href="{{feed}}" id="feed-{{name}}">{{name}}.ics</a>{{/feed}}</p>
    <table class="calendar"><thead><tr><th>Day ({{timezone}})</th><th>On call</th></tr></thead><tbody>
    {{#days}}<tr{{#override}} class="override"{{/override}}><td>{{day}}</td><td>{{who}}</td></tr>{{/days}}
    </tbody></table>
    {{#hasOverrides}}<h3>Overrides</h3><ul>{{#overrides}}<li>{{member}} from <time datetime="{{fromUTC}}" data-local>{{from}}</time> until <time datetime="{{untilUTC}}" data-local>{{until}}</time>{{#createdBy}} (added by {{createdBy}}){{/createdBy}}
    {{#stored}}<form method="post" action="{{base}}/oncall/overrides/{{id}}/remove" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><button>Remove</button></form>{{/stored}}</li>{{/overrides}}</ul>{{/hasOverrides}}
    <form method="post" action="{{base}}/oncall/overrides" class="override-form">
    <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="schedule" value="{{name}}">
    <label>Who <select name="member" id="override-member-{{name}}">{{#members}}<option{{#me}} selected{{/me}}>{{value}}</option>{{/members}}</select></label>
    <label>From <input type="datetime-local" name="from" id="override-from-{{name}}" value="{{defaultFrom}}" required></label>
    <label>Until <input type="datetime-local" name="until" id="override-until-{{name}}" value="{{defaultUntil}}" required></label>
    <span class="hint">times in {{timezone}}</span>
    <button type="submit" id="override-add-{{name}}">Add override</button>
    </form>
    </section>
    {{/schedules}}
    {{#personFeed}}<p class="feed">Your shifts in your calendar: <a href="{{personFeed}}" id="feed-me">{{person}}.ics</a></p>{{/personFeed}}
    {{#feedsOff}}<p class="hint">Calendar feeds are off: set <code>server.console.feed_secret</code> (or <code>server.action_secret</code>).</p>{{/feedsOff}}
    <p class="hint">Times are in each schedule's time zone; in brackets, in yours (<span data-local-zone>UTC</span>).</p>
    {{> footer}}
    """

    static let silences = """
    {{> header}}
    <h1>Silences</h1>
    <form method="post" action="{{base}}/silences" class="card" id="silence-form">
    <input type="hidden" name="csrf" value="{{csrf}}">
    <label>Matchers <input name="matchers" id="silence-matchers" placeholder="environment=prod kind=health_check" value="{{matchers}}" required></label>
    <label>For <input name="duration" id="silence-duration" placeholder="2h" value="{{duration}}" required></label>
    <label>Reason <input name="reason" id="silence-reason" value="{{reason}}"></label>
    <button name="step" value="preview" id="silence-preview">Preview</button>
    <button name="step" value="add" id="silence-add">Add silence</button>
    </form>
    {{#preview}}<section class="card" id="preview"><h2>It would silence {{count}}</h2><ul>{{#alerts}}<li>#{{id}} {{summary}}</li>{{/alerts}}</ul></section>{{/preview}}
    <h2>In force and to come</h2>
    {{^active}}<p class="empty" id="no-silences">None.</p>{{/active}}
    <ul class="silences">{{#active}}<li id="silence-{{id}}"><code>{{matchers}}</code> from {{startsAt}} until {{endsAt}}{{#comment}}: {{comment}}{{/comment}}{{#createdBy}} (by {{createdBy}}){{/createdBy}}
    {{#stored}}<form method="post" action="{{base}}/silences/{{id}}/expire" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><button id="expire-{{id}}">Expire</button></form>{{/stored}}{{^stored}} <span class="hint">maintenance window (config)</span>{{/stored}}</li>{{/active}}</ul>
    {{#hasUnreadable}}<h2>Unreadable</h2><ul>{{#unreadable}}<li>{{.}}</li>{{/unreadable}}</ul>{{/hasUnreadable}}
    {{> footer}}
    """

    static let heartbeats = """
    {{> header}}
    <h1>Heartbeats</h1>
    {{^rows}}<p class="empty">No heartbeats in the config.</p>{{/rows}}
    <table><thead><tr><th>Name</th><th>Every</th><th>Last beat</th><th>Deadline</th></tr></thead><tbody>
    {{#rows}}<tr{{#missed}} class="missed"{{/missed}}><td>{{name}}</td><td>{{every}}</td><td>{{lastBeat}}</td><td>{{deadline}}</td></tr>{{/rows}}
    </tbody></table>
    {{> footer}}
    """

    static let status = """
    {{> header}}
    <h1>Status</h1>
    <pre class="card" id="status-text">{{text}}</pre>
    {{#deadManSwitch}}<p>Dead-man's switch: pinged every {{deadManSwitch}} while the scheduler reaches the state.</p>{{/deadManSwitch}}
    {{> footer}}
    """

    static let message = """
    {{> header}}
    <h1>{{title}}</h1>
    <p><a href="{{base}}">Back to the alerts</a></p>
    {{> footer}}
    """
}
