import { type FastifyInstance } from 'fastify';
import { CHAT_SCRIPT } from './chat-page-script.js';

/**
 * `GET /_sandbox/chat` (and `/chat`): a person plays the customer of a lead and watches the bot's
 * messages, internal messages, and the lead's stage, tags, custom fields, tasks and notes change
 * (what an extraction wrote, docs/kommo-contract.md §9). A second box writes as a user of the
 * account (default: the lead's responsible user), as from Kommo's chat window. Plain HTML, no build step;
 * it polls the control API every 500 ms. `?account=<subdomain>&lead=<id>` preselects a chat.
 */
export function registerChatPage(app: FastifyInstance): void {
  app.get('/_sandbox/chat', (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(CHAT_PAGE),
  );
  app.get('/chat', (request, reply) => {
    const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
    return reply.redirect(`/_sandbox/chat${query}`);
  });
}

const CHAT_STYLE = `
  * { box-sizing: border-box; }
  body { margin: 0; font: 14px/1.4 system-ui, sans-serif; color: #1d2330; background: #eef1f5; }
  header { display: flex; gap: 16px; align-items: end; flex-wrap: wrap; padding: 12px 20px; background: #1d2b4f; color: #fff; }
  header h1 { font-size: 18px; margin: 0 24px 0 0; }
  .picker { display: flex; flex-direction: column; gap: 2px; }
  .picker label { font-size: 12px; }
  select, input, button { font: inherit; padding: 6px 8px; border-radius: 6px; border: 1px solid #b9c2d0; }
  button { cursor: pointer; background: #2f6fed; color: #fff; border-color: #2f6fed; }
  button.secondary { background: #fff; color: #1d2b4f; }
  main { display: grid; grid-template-columns: minmax(0, 2fr) minmax(280px, 1fr); gap: 16px; padding: 16px 20px; }
  section { background: #fff; border-radius: 10px; box-shadow: 0 1px 3px rgba(0,0,0,.08); padding: 12px 16px; }
  h2 { font-size: 15px; margin: 4px 0 10px; }
  #transcript { height: 60vh; overflow-y: auto; display: flex; flex-direction: column; gap: 6px; padding: 4px; }
  .entry { max-width: 80%; padding: 6px 10px; border-radius: 10px; white-space: pre-wrap; word-break: break-word; }
  .entry small { display: block; font-size: 11px; opacity: .65; }
  .customer { align-self: flex-end; background: #2f6fed; color: #fff; }
  .team { align-self: flex-start; background: #1f7a50; color: #fff; }
  .bot { align-self: flex-start; background: #e4e9f2; }
  .internal { align-self: center; background: #fff4cc; border: 1px dashed #d6b400; }
  .note { align-self: center; background: #e9f7ef; border: 1px solid #9fd5b4; }
  .event, .tag_added, .tag_removed, .field, .status, .http { align-self: center; background: none; color: #5b6577; font-size: 12px; padding: 2px 6px; }
  .error { align-self: center; background: #fde8e8; color: #9b1c1c; font-size: 12px; }
  .buttons { display: flex; flex-wrap: wrap; gap: 4px; margin-top: 6px; }
  .buttons button { background: #fff; color: #2f6fed; padding: 3px 8px; }
  form { display: flex; gap: 8px; margin-top: 10px; align-items: center; }
  form input { flex: 1; }
  .team-composer { padding-top: 10px; border-top: 1px dashed #b9c2d0; }
  .team-composer button { background: #1f7a50; border-color: #1f7a50; }
  dl { display: grid; grid-template-columns: auto 1fr; gap: 4px 10px; margin: 0; }
  dt { color: #5b6577; }
  dd { margin: 0; }
  table { width: 100%; border-collapse: collapse; font-size: 13px; }
  th, td { text-align: left; padding: 4px 6px; border-bottom: 1px solid #e4e9f2; vertical-align: top; word-break: break-word; }
  ul { margin: 0; padding-left: 18px; }
  .tags { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 4px; }
  .tags li { background: #dfe8ff; border-radius: 10px; padding: 1px 8px; }
  .empty { color: #8a93a3; font-style: italic; }
  .stage-dot { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 6px; border: 1px solid #b9c2d0; }
  .done { text-decoration: line-through; color: #5b6577; }
  .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  .status-line { font-size: 12px; color: #5b6577; margin-top: 6px; min-height: 1em; }
`;

const CHAT_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Kommo sandbox: salesbot chat</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<style>${CHAT_STYLE}</style>
</head>
<body>
<header>
  <h1>Salesbot chat</h1>
  <div class="picker">
    <label for="account">Account</label>
    <select id="account" data-testid="account-select"></select>
  </div>
  <div class="picker">
    <label for="lead">Lead</label>
    <select id="lead" data-testid="lead-select"></select>
  </div>
  <button id="new-lead" type="button" class="secondary" data-testid="new-lead">New lead</button>
</header>
<main>
  <section aria-labelledby="chat-title">
    <h2 id="chat-title">Conversation</h2>
    <div id="transcript" role="log" aria-live="polite" aria-label="Conversation" data-testid="transcript"></div>
    <form id="composer" data-testid="composer">
      <label for="message" class="visually-hidden">Message as the customer</label>
      <input id="message" name="message" autocomplete="off" placeholder="Write as the customer…" data-testid="message-input">
      <button type="submit" data-testid="send-button">Send</button>
    </form>
    <form id="team-composer" class="team-composer" data-testid="team-composer" aria-label="Write as a team member">
      <label for="team-user">Team member</label>
      <select id="team-user" data-testid="team-user-select"></select>
      <label for="team-message" class="visually-hidden">Message as a team member</label>
      <input id="team-message" name="team-message" autocomplete="off" placeholder="Write as a team member…" data-testid="team-message-input">
      <button type="submit" data-testid="team-send-button">Send as team</button>
    </form>
    <p id="notice" class="status-line" role="status" data-testid="notice"></p>
  </section>
  <aside>
    <section aria-labelledby="lead-title">
      <h2 id="lead-title">Lead card</h2>
      <dl>
        <dt>Name</dt><dd id="lead-name" data-testid="lead-name">–</dd>
        <dt>Stage</dt><dd id="lead-stage" data-testid="lead-stage">–</dd>
        <dt>Bot</dt><dd id="run-status" data-testid="run-status">–</dd>
      </dl>
      <h2 id="tags-title">Tags</h2>
      <ul id="tags" class="tags" aria-labelledby="tags-title" data-testid="lead-tags"></ul>
      <h2 id="fields-title">Custom fields</h2>
      <table aria-labelledby="fields-title" data-testid="lead-fields">
        <thead><tr><th scope="col">Field</th><th scope="col">Value</th></tr></thead>
        <tbody id="fields"></tbody>
      </table>
      <h2 id="tasks-title">Tasks</h2>
      <ul id="tasks" aria-labelledby="tasks-title" data-testid="lead-tasks"></ul>
      <h2 id="notes-title">Notes</h2>
      <ul id="notes" aria-labelledby="notes-title" data-testid="lead-notes"></ul>
    </section>
  </aside>
</main>
<script>${CHAT_SCRIPT}</script>
</body>
</html>`;
