'use strict';
// Starts the telegram-test-api Bot API emulator on 127.0.0.1 for tests/test_telegram_e2e.py,
// adapted to what python-telegram-bot 22 expects from a real Bot API server:
//   - getMe answers with is_bot (PTB's User needs it);
//   - message dates are in seconds, not milliseconds;
//   - editMessageText returns the edited message instead of null;
//   - callback queries carry chat_instance;
//   - getUpdates honours offset (confirmed updates are dropped) and timeout (a real long poll);
//   - setMyCommands, sendPhoto, sendDocument, answerCallbackQuery are recorded for the test;
//   - webhook delivery sends the X-Telegram-Bot-Api-Secret-Token header given to setWebhook,
//     and a failed delivery is reported to the client instead of killing node;
//   - like Telegram, the bot cannot start a private chat: sendMessage to a user who never wrote
//     to the bot fails with 403 Forbidden.
// Usage: node launcher.js [port]   (port 0 or none: any free port). Prints "READY <port>".
// Test-only endpoints: GET /_state (what the bot did), POST /_client/{message,command,callback}.

const axios = require('axios');
const routes = require('telegram-test-api/lib/routes/index').routes;
const TelegramServer = require('telegram-test-api');

const state = {
  getUpdatesCalls: 0,
  commands: [],          // setMyCommands calls: {language_code, commands}
  callbackAnswers: [],   // answerCallbackQuery calls: {callback_query_id, text, show_alert}
  webhook: null,         // the last setWebhook body
  deliveries: [],        // webhook deliveries: {update_id, status}
  forbidden: [],         // chat ids the bot tried to write to before they wrote to it
};
const knownChats = new Map(); // chat id -> chat, for every chat a user wrote in

const seconds = () => Math.floor(Date.now() / 1000);
const params = (req) => Object.assign({}, req.query || {}, req.body || {});
const parseJson = (v) => (typeof v === 'string' ? JSON.parse(v) : v);

function chatFor(chatId) {
  const known = knownChats.get(String(chatId));
  return known || { id: Number(chatId), type: 'private', first_name: 'Unknown' };
}

function formatUpdate(update) {
  if ('callbackQuery' in update) {
    const cq = update.callbackQuery;
    return {
      update_id: update.updateId,
      callback_query: {
        id: String(update.callbackId),
        from: cq.from,
        message: cq.message,
        chat_instance: String((cq.message && cq.message.chat && cq.message.chat.id) || 0),
        data: cq.data,
      },
    };
  }
  const message = Object.assign({}, update.message, { message_id: update.messageId });
  delete message.botToken;
  if (message.date > 1e11) message.date = Math.floor(message.date / 1000);
  return { update_id: update.updateId, message };
}

function botMessage(server, token, body, extra) {
  const message = TelegramServer.normalizeMessage(Object.assign({}, body));
  const id = server.messageId++;
  server.updateId++;
  server.storage.botMessages.push({
    time: Date.now(), botToken: token, message, updateId: server.updateId, messageId: id, isRead: false,
  });
  server.emit('AddedBotMessage');
  const result = Object.assign({}, extra || {}, {
    message_id: id,
    date: seconds(),
    chat: chatFor(message.chat_id),
    from: { id: 666, is_bot: true, first_name: 'Test First name', username: 'TestNameBot' },
  });
  if (message.text !== undefined) result.text = String(message.text);
  if (message.reply_markup && 'inline_keyboard' in message.reply_markup) result.reply_markup = message.reply_markup;
  return result;
}

// Minimal multipart/form-data reader (sendPhoto, sendDocument): text fields, and file sizes.
function readMultipart(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('error', reject);
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(req.headers['content-type'] || '');
      const fields = {};
      const files = {};
      if (!m) return resolve({ fields: params(req), files });
      const boundary = Buffer.from(`--${m[1] || m[2]}`);
      let start = body.indexOf(boundary);
      while (start !== -1) {
        const next = body.indexOf(boundary, start + boundary.length);
        if (next === -1) break;
        const part = body.subarray(start + boundary.length + 2, next - 2);
        const split = part.indexOf('\r\n\r\n');
        const head = part.subarray(0, split).toString();
        const data = part.subarray(split + 4);
        const name = /name="([^"]+)"/.exec(head);
        if (name) {
          const filename = /filename="([^"]*)"/.exec(head);
          if (filename) files[name[1]] = { filename: filename[1], size: data.length, head: data.subarray(0, 8).toString('hex') };
          else fields[name[1]] = data.toString();
        }
        start = next;
      }
      return resolve({ fields, files });
    });
  });
}

async function deliver(server, update) {
  const hook = server.webhooks[update.botToken];
  if (!hook) {
    server.storage.userMessages.push(update);
    return { status: 0 };
  }
  const headers = {};
  if (hook.secret_token) headers['X-Telegram-Bot-Api-Secret-Token'] = hook.secret_token;
  let status;
  try {
    const resp = await axios({
      url: hook.url, method: 'POST', data: formatUpdate(update), headers, validateStatus: () => true, timeout: 10000,
    });
    status = resp.status;
  } catch (err) {
    status = -1;
  }
  state.deliveries.push({ update_id: update.updateId, status });
  return { status };
}

function remember(chat) {
  if (chat && chat.id !== undefined) knownChats.set(String(chat.id), chat);
}

function leerteamRoutes(app, server) {
  app.get('/_state', (_req, res) => res.json(state));

  // The client's side: a user writes, sends a command (with its bot_command entity), presses a button.
  const clientUpdate = (kind) => async (req, res) => {
    const body = req.body;
    const common = { time: Date.now(), botToken: body.botToken, updateId: server.updateId++, isRead: false };
    let update;
    if (kind === 'callback') {
      remember(body.message && body.message.chat);
      update = Object.assign(common, { callbackQuery: body, callbackId: server.callbackId++ });
    } else {
      remember(body.chat);
      update = Object.assign(common, { message: body, messageId: server.messageId++ });
    }
    const result = await deliver(server, update);
    res.json({ ok: result.status === 0 || (result.status >= 200 && result.status < 300), result: { update_id: update.updateId, status: result.status } });
  };
  app.post('/_client/message', clientUpdate('message'));
  app.post('/_client/callback', clientUpdate('callback'));

  app.all('/bot:token/getMe', (_req, res) => res.json({
    ok: true,
    result: {
      id: 666, is_bot: true, first_name: 'Test First name', username: 'TestNameBot',
      can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false,
    },
  }));

  app.all('/bot:token/getUpdates', async (req, res) => {
    state.getUpdatesCalls += 1;
    const token = req.params.token;
    const p = params(req);
    const offset = Number(p.offset || 0);
    const timeout = Math.min(Number(p.timeout || 0), 30);
    const deadline = Date.now() + timeout * 1000;
    const take = () => {
      if (offset) {
        server.storage.userMessages = server.storage.userMessages.filter(
          (u) => !(u.botToken === token && u.updateId < offset),
        );
      }
      return server.storage.userMessages.filter((u) => u.botToken === token && u.updateId >= offset);
    };
    let found = take();
    while (!found.length && Date.now() < deadline && !res.writableEnded && !req.socket.destroyed) {
      await new Promise((r) => setTimeout(r, 20));
      found = take();
    }
    res.json({ ok: true, result: found.map(formatUpdate) });
  });

  app.all('/bot:token/sendMessage', (req, res) => {
    const p = params(req);
    if (!knownChats.has(String(p.chat_id))) {
      state.forbidden.push(String(p.chat_id));
      res.status(403).json({ ok: false, error_code: 403, description: "Forbidden: bot can't initiate conversation with a user" });
      return;
    }
    res.json({ ok: true, result: botMessage(server, req.params.token, p) });
  });

  app.all('/bot:token/editMessageText', (req, res) => {
    const p = params(req);
    server.editMessageText(p);
    res.json({ ok: true, result: { message_id: Number(p.message_id), date: seconds(), chat: chatFor(p.chat_id), text: String(p.text), edit_date: seconds() } });
  });

  app.all('/bot:token/answerCallbackQuery', (req, res) => {
    const p = params(req);
    state.callbackAnswers.push({ callback_query_id: p.callback_query_id, text: p.text || null, show_alert: String(p.show_alert) === 'true' });
    res.json({ ok: true, result: true });
  });

  app.all('/bot:token/setMyCommands', (req, res) => {
    const p = params(req);
    state.commands.push({ language_code: p.language_code || '', commands: parseJson(p.commands), scope: p.scope ? parseJson(p.scope) : null });
    res.json({ ok: true, result: true });
  });

  app.all('/bot:token/setWebhook', (req, res) => {
    const p = params(req);
    state.webhook = p;
    server.setWebhook(p, req.params.token);
    res.json({ ok: true, result: true });
  });

  const upload = (field) => async (req, res) => {
    const { fields, files } = await readMultipart(req);
    const file = files[field] || null;
    const extra = field === 'photo'
      ? { photo: [{ file_id: 'photo-1', file_unique_id: 'p1', width: 100, height: 100, file_size: file ? file.size : 0 }] }
      : { document: { file_id: 'doc-1', file_unique_id: 'd1', file_name: file ? file.filename : 'file' } };
    if (fields.caption !== undefined) extra.caption = fields.caption;
    const body = Object.assign({}, fields, { [field]: file });
    res.json({ ok: true, result: botMessage(server, req.params.token, body, extra) });
  };
  app.post('/bot:token/sendPhoto', upload('photo'));
  app.post('/bot:token/sendDocument', upload('document'));
}

async function main() {
  routes.unshift(leerteamRoutes);
  const port = Number(process.argv[2] || 0);
  const server = new TelegramServer({ port: port || 1, host: '127.0.0.1' });
  server.config.port = port; // 0: let the system choose (the emulator turns 0 into 9000)
  process.on('unhandledRejection', (err) => { console.error(`unhandled: ${err}`); });
  await server.start();
  const actual = server.server.address().port;
  process.stdout.write(`READY ${actual}\n`);
  const stop = async () => { await server.stop(); process.exit(0); };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err) => { console.error(err); process.exit(1); });
