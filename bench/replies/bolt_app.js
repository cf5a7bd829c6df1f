// The Slack Bolt for JavaScript side of bench_replies: the same /reflect
// slash command nudged takes at POST /slack/commands, done the way the Bolt
// documentation shows it. Bolt's own HTTPReceiver verifies the v0 signature
// (signatureVerification stays on) and parses the form; the handler splits an
// optional four-character reply code off the answer, keeps the answer in
// memory once per trigger_id (as nudged keeps one row per message id), and
// acks with an ephemeral receipt. Nothing is written to disk: this side does
// less than nudged, which commits every answer to SQLite before its 200.
//
//   PORT=3000 SLACK_SIGNING_SECRET=... node bolt_app.js
//
// Listens on 127.0.0.1 only. GET /count answers {"stored": N}. Prints
// "bolt listening on 127.0.0.1:PORT" when ready; SIGTERM ends it.
'use strict';

const { App, LogLevel } = require('@slack/bolt');

const port = Number(process.env.PORT || 3000);
const signingSecret = process.env.SLACK_SIGNING_SECRET;
if (!signingSecret) {
  console.error('bolt_app: SLACK_SIGNING_SECRET is not set');
  process.exit(1);
}

// The reply-code alphabet nudged uses (daemon/replycode.c): no look-alikes.
const CODE = /^([A-HJKMNP-TW-Z2-9]{4})\s+([\s\S]*)$/i;
const answers = new Map();	// trigger_id -> answer

const app = new App({
  signingSecret,
  // A single-workspace app needs a bot token. It never calls Slack here (no
  // network): given the bot's ids, Bolt skips its auth.test look-up.
  token: 'xoxb-bench-not-a-real-token',
  botId: 'B0BENCH01',
  botUserId: 'U0BENCHBOT',
  tokenVerificationEnabled: false,
  endpoints: '/slack/commands',
  logLevel: LogLevel.WARN,
  customRoutes: [{
    path: '/count',
    method: ['GET'],
    handler: (req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ stored: answers.size }));
    },
  }],
});

app.command('/reflect', async ({ command, ack }) => {
  const text = (command.text || '').trim();
  const m = CODE.exec(text);
  const answer = m ? m[2].trim() : text;
  if (answer === '') {
    await ack({ response_type: 'ephemeral', text: 'Write your answer after /reflect.' });
    return;
  }
  const duplicate = answers.has(command.trigger_id);
  if (!duplicate) {
    answers.set(command.trigger_id, {
      channel_id: command.channel_id,
      user_id: command.user_id,
      user_name: command.user_name,
      code: m ? m[1].toUpperCase() : null,
      text: answer,
      received_at: Math.floor(Date.now() / 1000),
    });
  }
  await ack({
    response_type: 'ephemeral',
    text: `${duplicate ? 'Already saved' : 'Saved'} your answer.`,
  });
});

process.on('SIGTERM', () => process.exit(0));

(async () => {
  await app.start({ port, host: '127.0.0.1' });
  console.log(`bolt listening on 127.0.0.1:${port}`);
})().catch((err) => {
  console.error(`bolt_app: ${err.message}`);
  process.exit(1);
});
