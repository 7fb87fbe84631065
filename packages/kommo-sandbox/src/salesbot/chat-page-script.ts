/**
 * The chat page's inline script (ES5-ish, no build step). It talks to the salesbot control API:
 * `/_sandbox/salesbot/{accounts,leads,messages}` and polls `/leads/:id?after=<seq>` every 500 ms;
 * the team box reads the users from `/_sandbox/accounts/:account` and posts to
 * `/_sandbox/chats/:lead/team-message`.
 */
export const CHAT_SCRIPT = String.raw`
(function () {
  'use strict';
  var API = '/_sandbox/salesbot';
  var POLL_MS = 500;
  var BUBBLE_LABELS = { customer: 'Customer', bot: 'Bot', internal: 'Internal message', note: 'Note', error: 'Error' };
  var PREFIXES = { tag_added: 'Tag added: ', tag_removed: 'Tag removed: ', field: 'Field set: ', status: 'Status: ' };
  var params = new URLSearchParams(location.search);
  var state = { account: '', lead: '', after: 0, busy: false, panel: '', userChosen: false };
  function $(id) { return document.getElementById(id); }

  function api(path, options, root) {
    var init = Object.assign({ headers: { 'content-type': 'application/json' } }, options || {});
    return fetch((root || API) + path, init).then(function (response) {
      if (response.status === 204) return null;
      return response.json().then(function (body) {
        if (!response.ok) throw new Error(body && body.error ? body.error : response.statusText);
        return body;
      });
    });
  }

  function notice(text) { $('notice').textContent = text || ''; }

  function option(value, label) {
    var element = document.createElement('option');
    element.value = value;
    element.textContent = label;
    return element;
  }

  function loadAccounts() {
    return api('/accounts').then(function (body) {
      var select = $('account');
      select.textContent = '';
      body.accounts.forEach(function (a) { select.appendChild(option(a.subdomain, a.subdomain + ' (#' + a.id + ')')); });
      if (body.accounts.length === 0) notice('No accounts yet: create one through the control API.');
      var wanted = params.get('account');
      if (wanted) select.value = wanted;
      state.account = select.value;
      return loadUsers().then(function () { return loadLeads(params.get('lead')); });
    });
  }

  // The account's users, for the team box.
  function loadUsers() {
    var select = $('team-user');
    select.textContent = '';
    if (!state.account) return Promise.resolve();
    return api('/accounts/' + encodeURIComponent(state.account), null, '/_sandbox').then(function (account) {
      account.users.forEach(function (u) { select.appendChild(option(String(u.id), u.name + ' (#' + u.id + ')')); });
    });
  }

  function loadLeads(preselect) {
    if (!state.account) return Promise.resolve();
    return api('/leads?account=' + encodeURIComponent(state.account)).then(function (body) {
      var select = $('lead');
      select.textContent = '';
      select.appendChild(option('', body.leads.length ? '(choose a lead)' : '(no leads: write to create one)'));
      body.leads.forEach(function (l) { select.appendChild(option(String(l.id), leadLabel(l))); });
      if (preselect) select.value = String(preselect);
      selectLead(select.value);
    });
  }

  // New leads are called "Lead #<id>" already; do not repeat the id.
  function leadLabel(lead) {
    return lead.name.indexOf('#' + lead.id) >= 0 ? lead.name : lead.name + ' (#' + lead.id + ')';
  }

  function selectLead(id) {
    state.lead = id || '';
    state.after = 0;
    state.panel = '';
    state.userChosen = false;
    $('transcript').textContent = '';
    var query = new URLSearchParams();
    if (state.account) query.set('account', state.account);
    if (state.lead) query.set('lead', state.lead);
    history.replaceState(null, '', '?' + query.toString());
    renderPanel(null);
    refresh();
  }

  function refresh() {
    if (!state.account || !state.lead || state.busy) return;
    state.busy = true;
    var lead = state.lead;
    var path = '/leads/' + encodeURIComponent(lead) + '?account=' + encodeURIComponent(state.account) + '&after=' + state.after;
    api(path)
      .then(function (chat) { if (lead === state.lead) render(chat); })
      .catch(function (error) { notice(error.message); })
      .then(function () { state.busy = false; });
  }

  function render(chat) {
    chat.entries.forEach(addEntry);
    renderPanel(chat);
  }

  function addEntry(entry) {
    if (entry.seq <= state.after) return;
    state.after = entry.seq;
    var box = $('transcript');
    var div = document.createElement('div');
    div.className = 'entry ' + entry.kind;
    div.setAttribute('data-testid', 'entry-' + entry.kind);
    var label = entry.kind === 'team'
      ? 'Team: ' + (entry.detail && entry.detail.user_name ? entry.detail.user_name : 'user')
      : BUBBLE_LABELS[entry.kind];
    if (label) {
      var small = document.createElement('small');
      small.textContent = label;
      div.appendChild(small);
    }
    var text = document.createElement('span');
    text.setAttribute('data-testid', 'entry-text');
    text.textContent = (PREFIXES[entry.kind] || '') + entry.text;
    div.appendChild(text);
    if (entry.buttons && entry.buttons.length) {
      var row = document.createElement('div');
      row.className = 'buttons';
      entry.buttons.forEach(function (name) {
        var button = document.createElement('button');
        button.type = 'button';
        button.textContent = name;
        button.addEventListener('click', function () { send(name); });
        row.appendChild(button);
      });
      div.appendChild(row);
    }
    box.appendChild(div);
    box.scrollTop = box.scrollHeight;
  }

  function renderPanel(chat) {
    var key = chat ? JSON.stringify([chat.lead, chat.run]) : '';
    if (chat && key === state.panel) return;
    state.panel = key;
    var lead = chat && chat.lead;
    var run = chat && chat.run;
    $('lead-name').textContent = lead ? leadLabel(lead) : '–';
    // The team box writes as the lead's responsible user until the person picks another.
    if (lead && !state.userChosen && lead.responsible_user_id) $('team-user').value = String(lead.responsible_user_id);
    var stage = $('lead-stage');
    stage.textContent = '';
    if (lead && lead.stage) {
      var dot = document.createElement('span');
      dot.className = 'stage-dot';
      dot.style.background = lead.stage.color;
      stage.appendChild(dot);
      stage.appendChild(document.createTextNode(lead.stage.pipeline + ' › ' + lead.stage.status));
    } else {
      stage.textContent = '–';
    }
    $('run-status').textContent = run
      ? run.bot_name + ': ' + run.status.replace(/_/g, ' ') + (run.end_reason ? ' (' + run.end_reason + ')' : '')
      : (lead ? 'not started' : '–');
    fill($('tags'), lead ? lead.tags : [], function (name) {
      var li = document.createElement('li');
      li.setAttribute('data-testid', 'tag');
      li.textContent = name;
      return li;
    }, 'No tags');
    fill($('fields'), lead ? lead.fields : [], function (field) {
      var tr = document.createElement('tr');
      tr.setAttribute('data-testid', 'field-row');
      tr.setAttribute('data-field-id', String(field.id));
      var name = document.createElement('th');
      name.scope = 'row';
      name.setAttribute('data-testid', 'field-name');
      name.textContent = field.name;
      var value = document.createElement('td');
      value.setAttribute('data-testid', 'field-value');
      value.textContent = fieldText(field);
      tr.appendChild(name);
      tr.appendChild(value);
      return tr;
    }, 'No custom fields');
    fill($('tasks'), lead ? lead.tasks : [], function (task) {
      var li = document.createElement('li');
      li.setAttribute('data-testid', 'task');
      if (task.isCompleted) li.className = 'done';
      li.textContent = task.type + ': ' + task.text + ' (by ' + dateText(task.completeTill, true) + ', ' + task.responsible + ')';
      return li;
    }, 'No tasks');
    fill($('notes'), lead ? lead.notes : [], function (note) {
      var li = document.createElement('li');
      li.setAttribute('data-testid', 'note');
      li.textContent = note.text;
      return li;
    }, 'No notes');
  }

  // Dates are stored as unix seconds; show them as a person reads them (UTC).
  function dateText(seconds, withTime) {
    var iso = new Date(Number(seconds) * 1000).toISOString();
    return withTime ? iso.slice(0, 16).replace('T', ' ') + ' UTC' : iso.slice(0, 10);
  }

  function fieldText(field) {
    if (field.value === '') return '';
    if ((field.type === 'date' || field.type === 'birthday') && /^-?\d+$/.test(field.value)) return dateText(field.value, false);
    if (field.type === 'date_time' && /^-?\d+$/.test(field.value)) return dateText(field.value, true);
    if (field.type === 'checkbox') return field.value === 'true' ? 'yes' : 'no';
    return field.value;
  }

  function fill(container, items, make, emptyText) {
    container.textContent = '';
    items.forEach(function (item) { container.appendChild(make(item)); });
    if (items.length === 0) {
      var empty = document.createElement(container.tagName === 'TBODY' ? 'tr' : 'li');
      empty.className = 'empty';
      if (container.tagName === 'TBODY') {
        var cell = document.createElement('td');
        cell.colSpan = 2;
        cell.textContent = emptyText;
        empty.appendChild(cell);
      } else {
        empty.textContent = emptyText;
      }
      container.appendChild(empty);
    }
  }

  function send(text) {
    if (!state.account) { notice('Choose an account first.'); return; }
    var body = { account: state.account, text: text };
    if (state.lead) body.lead_id = Number(state.lead);
    else body.create_lead = true;
    notice('');
    api('/messages', { method: 'POST', body: JSON.stringify(body) })
      .then(function (result) {
        if (!state.lead) return loadLeads(result.lead_id);
        refresh();
      })
      .catch(function (error) { notice(error.message); });
  }

  function sendAsTeam(text) {
    if (!state.lead) { notice('Choose a lead first: a team member writes in an existing chat.'); return; }
    var body = { account: state.account, text: text, user_id: Number($('team-user').value) };
    notice('');
    api('/chats/' + encodeURIComponent(state.lead) + '/team-message', { method: 'POST', body: JSON.stringify(body) }, '/_sandbox')
      .then(function () { refresh(); })
      .catch(function (error) { notice(error.message); });
  }

  $('account').addEventListener('change', function (event) {
    state.account = event.target.value;
    loadUsers().then(function () { return loadLeads(null); }).catch(function (error) { notice(error.message); });
  });
  $('team-user').addEventListener('change', function () { state.userChosen = true; });
  $('team-composer').addEventListener('submit', function (event) {
    event.preventDefault();
    var input = $('team-message');
    var text = input.value.trim();
    if (!text) return;
    input.value = '';
    sendAsTeam(text);
  });
  $('lead').addEventListener('change', function (event) { selectLead(event.target.value); });
  $('new-lead').addEventListener('click', function () {
    if (!state.account) { notice('Choose an account first.'); return; }
    api('/leads', { method: 'POST', body: JSON.stringify({ account: state.account }) })
      .then(function (chat) { return loadLeads(chat.lead_id); })
      .catch(function (error) { notice(error.message); });
  });
  $('composer').addEventListener('submit', function (event) {
    event.preventDefault();
    var input = $('message');
    var text = input.value.trim();
    if (!text) return;
    input.value = '';
    send(text);
  });

  loadAccounts().catch(function (error) { notice(error.message); });
  setInterval(refresh, POLL_MS);
})();
`;
