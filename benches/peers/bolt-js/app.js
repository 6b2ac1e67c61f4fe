// The Bolt for JavaScript peer of Liftoff for examples/peerbench.rs (issue #17): the same
// `/launch show <launch>` and `/launch task …` work, written as a real Bolt app would be —
// ExpressReceiver with Slack's signature check, one `ack` carrying the ephemeral reply, SQLite
// through better-sqlite3 with the durability Liftoff uses (WAL, synchronous = NORMAL, a busy
// timeout; src/store/mod.rs).
//
//   PORT=3100 DATABASE_PATH=/tmp/peer.db SLACK_SIGNING_SECRET=… NODE_ENV=production node app.js
//
// Environment: PORT (default 3100), HOST (default 127.0.0.1), DATABASE_PATH (default
// ./peer.db), SLACK_SIGNING_SECRET (required), SLACK_BOT_TOKEN (default xoxb-peer; never used
// to call Slack: the bot's ids are given, so Bolt skips auth.test), PEER_LAUNCH_DATE (the
// seeded launch's date, YYYY-MM-DD; default 2027-06-01).

'use strict';

const { App, ExpressReceiver, LogLevel } = require('@slack/bolt');
const Database = require('better-sqlite3');

// Keep in step with `SEED_*` and `seed_task` in examples/peerbench.rs: the harness creates the
// same launch in Liftoff with signed `/launch new` and `/launch task` commands.
const SEED = {
  slug: 'peer-bench',
  name: 'Peer Bench',
  tier: 2,
  lead: 'U0LEAD',
  tasks: 47,
};
const FUNCTIONS = ['product', 'marketing', 'growth', 'sales', 'ops'];
const FUNCTION_LABELS = {
  product: 'Product',
  marketing: 'Marketing',
  growth: 'Growth',
  sales: 'Sales',
  ops: 'Ops',
};
const MAX_TITLE_CHARS = 200;
const STATUS_LABELS = { todo: 'to do', on_track: 'on track', at_risk: 'at risk', blocked: 'blocked', done: 'done' };
// Slack refuses a section whose text is longer than this.
const MAX_SECTION_CHARS = 3000;

// The n-th seeded task (0-based), as `seed_task` in examples/peerbench.rs has it.
function seedTask(n) {
  return {
    fn: FUNCTIONS[n % FUNCTIONS.length],
    title: `Seeded task ${n + 1}`,
    owner: `U0OWNER${n % 7}`,
    offsetDays: 1 + ((n * 3) % 40),
  };
}

// ---------------------------------------------------------------------------------------------
// Dates: ISO strings, computed in UTC so the server's time zone cannot shift them.

function parseIsoDate(text) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return null;
  const date = new Date(`${text}T00:00:00Z`);
  return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== text ? null : date;
}

function isoDate(date) {
  return date.toISOString().slice(0, 10);
}

// A computed date that falls on a weekend moves to the Friday before, as Liftoff's do.
function workingDayOnOrBefore(date) {
  const day = date.getUTCDay();
  const back = day === 0 ? 2 : day === 6 ? 1 : 0;
  return new Date(date.getTime() - back * 86400000);
}

// `T-14` / `T+7` from the launch date, or a plain `YYYY-MM-DD`.
function resolveDue(text, launchDate) {
  const relative = /^T([+-])(\d{1,3})$/i.exec(text);
  if (relative) {
    const days = Number(relative[2]) * (relative[1] === '-' ? -1 : 1);
    const base = parseIsoDate(launchDate);
    return isoDate(workingDayOnOrBefore(new Date(base.getTime() + days * 86400000)));
  }
  const date = parseIsoDate(text);
  return date === null ? null : isoDate(date);
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function showDate(iso) {
  const date = parseIsoDate(iso);
  return date === null ? iso : `${WEEKDAYS[date.getUTCDay()]} ${iso}`;
}

// ---------------------------------------------------------------------------------------------
// Store

function openStore(path) {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  db.exec(`
    CREATE TABLE IF NOT EXISTS launches (
      id INTEGER PRIMARY KEY,
      slug TEXT NOT NULL UNIQUE,
      name TEXT NOT NULL,
      tier INTEGER NOT NULL,
      launch_date TEXT NOT NULL,
      lead TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS tasks (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      launch INTEGER NOT NULL REFERENCES launches(id),
      function TEXT NOT NULL,
      title TEXT NOT NULL,
      owner TEXT,
      due TEXT NOT NULL,
      status TEXT NOT NULL DEFAULT 'todo'
    );
    CREATE INDEX IF NOT EXISTS tasks_by_launch ON tasks(launch, function, due);
  `);
  return {
    db,
    launchBySlug: db.prepare('SELECT id, slug, name, tier, launch_date, lead FROM launches WHERE slug = ?'),
    tasksOf: db.prepare(
      'SELECT id, function, title, owner, due, status FROM tasks WHERE launch = ? ORDER BY function, due, id',
    ),
    insertLaunch: db.prepare(
      'INSERT INTO launches (slug, name, tier, launch_date, lead) VALUES (?, ?, ?, ?, ?) ON CONFLICT (slug) DO NOTHING',
    ),
    insertTask: db.prepare('INSERT INTO tasks (launch, function, title, owner, due) VALUES (?, ?, ?, ?, ?)'),
  };
}

// The launch the benchmark measures, with its tasks, once: a second start finds it there.
function seed(store, launchDate) {
  store.db.transaction(() => {
    const inserted = store.insertLaunch.run(SEED.slug, SEED.name, SEED.tier, launchDate, SEED.lead);
    if (inserted.changes === 0) return;
    const launch = store.launchBySlug.get(SEED.slug);
    for (let n = 0; n < SEED.tasks; n += 1) {
      const task = seedTask(n);
      store.insertTask.run(launch.id, task.fn, task.title, task.owner, resolveDue(`T-${task.offsetDays}`, launchDate));
    }
  })();
}

// ---------------------------------------------------------------------------------------------
// Replies

const USAGE = [
  'Usage:',
  '`/launch show <launch>`',
  '`/launch task <launch> <function> <title…> owner:@person due:<YYYY-MM-DD|T-14>`',
].join('\n');

function problem(text) {
  return { response_type: 'ephemeral', text: `:warning: ${text}\n${USAGE}` };
}

// What Slack sends for `&`, `<`, `>` typed by a person, back to what they typed.
function unescape(text) {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

// Text shown in mrkdwn: the three characters Slack wants escaped.
function mrkdwn(text) {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function taskLine(task) {
  const owner = task.owner ? `<@${task.owner}>` : '_no owner_';
  return `\`T${task.id}\` ${mrkdwn(task.title)} · ${owner} · due ${showDate(task.due)} · ${STATUS_LABELS[task.status] || task.status}`;
}

function show(store, slug) {
  const launch = store.launchBySlug.get(slug);
  if (launch === undefined) return problem(`No launch \`${mrkdwn(slug)}\`.`);
  const tasks = store.tasksOf.all(launch.id);
  const done = tasks.filter((t) => t.status === 'done').length;
  const blocks = [
    { type: 'header', text: { type: 'plain_text', text: launch.name } },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `*Launch day:* ${showDate(launch.launch_date)} · *Tier:* ${launch.tier} · *Lead:* <@${launch.lead}>\n*Tasks:* ${done} of ${tasks.length} done`,
      },
    },
  ];
  for (const fn of FUNCTIONS) {
    const lines = tasks.filter((t) => t.function === fn).map(taskLine);
    if (lines.length === 0) continue;
    blocks.push({ type: 'divider' });
    // One section per function, split where Slack's limit on a section's text would cut it.
    let text = `*${FUNCTION_LABELS[fn]}* (${lines.length})`;
    for (const line of lines) {
      if (text.length + 1 + line.length > MAX_SECTION_CHARS) {
        blocks.push({ type: 'section', text: { type: 'mrkdwn', text } });
        text = line;
      } else {
        text += `\n${line}`;
      }
    }
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text } });
  }
  return {
    response_type: 'ephemeral',
    text: `${launch.name}: launch day ${launch.launch_date}, ${tasks.length} tasks`,
    blocks,
  };
}

// `task <launch> <function> <title…> [owner:<@U…>] [due:<date>]`, after the word `task`.
function addTask(store, words, userId) {
  const [slug, fnWord, ...rest] = words;
  if (slug === undefined || fnWord === undefined) return problem('`task` needs a launch, a function and a title.');
  const launch = store.launchBySlug.get(slug);
  if (launch === undefined) return problem(`No launch \`${mrkdwn(slug)}\`.`);
  const fn = fnWord.toLowerCase();
  if (!FUNCTIONS.includes(fn)) {
    return problem(`\`${mrkdwn(fnWord)}\` is not a function: ${FUNCTIONS.join(', ')}.`);
  }
  let owner = userId;
  let due = launch.launch_date;
  const titleWords = [];
  for (const word of rest) {
    if (word.startsWith('owner:')) {
      const mention = /^owner:<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/.exec(word);
      if (mention === null) return problem(`\`${mrkdwn(word)}\`: the owner is a mention, like owner:@ann.`);
      owner = mention[1];
    } else if (word.startsWith('due:')) {
      due = resolveDue(word.slice(4), launch.launch_date);
      if (due === null) return problem(`\`${mrkdwn(word)}\`: a due date is YYYY-MM-DD or T-14.`);
    } else {
      titleWords.push(word);
    }
  }
  const title = unescape(titleWords.join(' '));
  if (title.length === 0 || title.length > MAX_TITLE_CHARS) {
    return problem(`A task needs a title of 1 to ${MAX_TITLE_CHARS} characters.`);
  }
  const { lastInsertRowid } = store.insertTask.run(launch.id, fn, title, owner, due);
  const text = `Added *T${lastInsertRowid}* ${mrkdwn(title)} to ${mrkdwn(launch.name)} (${FUNCTION_LABELS[fn]}): owner <@${owner}>, due ${showDate(due)}.`;
  return {
    response_type: 'ephemeral',
    text,
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }],
  };
}

// ---------------------------------------------------------------------------------------------
// The app

function main() {
  const signingSecret = process.env.SLACK_SIGNING_SECRET;
  if (!signingSecret) {
    console.error('SLACK_SIGNING_SECRET is required');
    process.exit(2);
  }
  const port = Number(process.env.PORT || 3100);
  const host = process.env.HOST || '127.0.0.1';
  const launchDate = process.env.PEER_LAUNCH_DATE || '2027-06-01';
  if (parseIsoDate(launchDate) === null) {
    console.error('PEER_LAUNCH_DATE is a date like 2027-06-01');
    process.exit(2);
  }

  const store = openStore(process.env.DATABASE_PATH || 'peer.db');
  seed(store, launchDate);

  const receiver = new ExpressReceiver({
    signingSecret,
    // Liftoff's request URL for commands, and Bolt's usual one for everything else.
    endpoints: { events: '/slack/events', commands: '/slack/commands' },
    logLevel: LogLevel.INFO,
  });
  receiver.router.get('/healthz', (_req, res) => {
    res.status(200).send('ok');
  });

  const app = new App({
    token: process.env.SLACK_BOT_TOKEN || 'xoxb-peer',
    // Given, so Bolt does not call auth.test: the benchmark has no Slack to ask.
    botId: 'B0PEER',
    botUserId: 'U0PEER',
    signingSecret,
    receiver,
    logLevel: LogLevel.INFO,
  });

  app.command('/launch', async ({ command, ack }) => {
    const words = command.text.trim().split(/\s+/).filter((w) => w.length > 0);
    const [sub, ...rest] = words;
    let reply;
    try {
      if (sub === 'show' && rest.length === 1) {
        reply = show(store, rest[0]);
      } else if (sub === 'task') {
        reply = addTask(store, rest, command.user_id);
      } else {
        reply = problem(sub === undefined ? 'Which command?' : `Unknown command \`${mrkdwn(words.join(' '))}\`.`);
      }
    } catch (err) {
      app.logger.error(err);
      reply = { response_type: 'ephemeral', text: 'Sorry, something went wrong.' };
    }
    await ack(reply);
  });

  const stop = async () => {
    await app.stop();
    store.db.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  app.start({ port, host }).then(() => {
    app.logger.info(`peer listening on http://${host}:${port}`);
  });
}

main();
