// An SMSC simulator for crates/sms/tests/smpp.rs and crates/web/tests/smpp.rs, on the npm `smpp` package.
//
//   node smsc.js --port P --system-id X --password Y
//
// Listens on 127.0.0.1:P. Accepts bind_transceiver with the given credentials (anything else is
// answered ESME_RBINDFAIL), answers submit_sm with a message id and, when registered_delivery
// asks for it, sends a delivery receipt (stat:DELIVRD, or UNDELIV when the destination ends in
// 0000). Commands, one JSON object per line on stdin:
//   {"mo":{"from":"+6281234","to":"1708","text":"...","coding":8}}
//   {"mo_parts":{"from":..,"to":..,"texts":["a","b","c"],"coding":0,"ref":7,"ref16":false,"order":[2,0,1]}}
//   {"drop":true}        close every connection
//   {"throttle":N}       answer the next N submit_sm with ESME_RTHROTTLED (0x58)
// Prints one JSON line per event on stdout: listening, bound, bind_refused, submit, throttled,
// deliver_resp, enquire_link, unbind, closed.
'use strict';

const smpp = require('smpp');
const readline = require('readline');

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const port = Number(arg('--port', '2775'));
const systemId = arg('--system-id', 'balai');
const password = arg('--password', 'secret');

function emit(event) {
  process.stdout.write(JSON.stringify(event) + '\n');
}

let nextMessageId = 1000;
let throttle = 0;
const sessions = new Set();

function hex(buffer) {
  return Buffer.isBuffer(buffer) ? buffer.toString('hex') : '';
}

function stamp(date) {
  const p = (n) => String(n).padStart(2, '0');
  return (
    p(date.getUTCFullYear() % 100) + p(date.getUTCMonth() + 1) + p(date.getUTCDate()) +
    p(date.getUTCHours()) + p(date.getUTCMinutes())
  );
}

function sendDeliver(session, fields, label) {
  session.deliver_sm(fields, (resp) => {
    emit({ event: 'deliver_resp', kind: label, status: resp.command_status });
  });
}

function receipt(session, pdu, messageId) {
  const undeliverable = /0000$/.test(pdu.destination_addr);
  const stat = undeliverable ? 'UNDELIV' : 'DELIVRD';
  const now = stamp(new Date());
  const text =
    `id:${messageId} sub:001 dlvrd:${undeliverable ? '000' : '001'} submit date:${now} ` +
    `done date:${now} stat:${stat} err:${undeliverable ? '001' : '000'} text:`;
  setTimeout(() => {
    if (!sessions.has(session)) return;
    sendDeliver(
      session,
      {
        source_addr: pdu.destination_addr,
        destination_addr: pdu.source_addr,
        esm_class: 0x04,
        data_coding: 0,
        short_message: Buffer.from(text, 'latin1'),
        receipted_message_id: messageId,
        message_state: undeliverable ? 5 : 2,
      },
      'receipt',
    );
  }, 50);
}

const server = smpp.createServer((session) => {
  let bound = false;
  session.on('bind_transceiver', (pdu) => {
    if (pdu.system_id === systemId && pdu.password === password) {
      bound = true;
      sessions.add(session);
      session.send(pdu.response({ system_id: 'balai-smsc' }));
      emit({ event: 'bound', system_id: pdu.system_id, system_type: pdu.system_type });
    } else {
      session.send(pdu.response({ command_status: smpp.ESME_RBINDFAIL }));
      emit({ event: 'bind_refused', system_id: pdu.system_id });
    }
  });
  session.on('submit_sm', (pdu) => {
    if (!bound) {
      session.send(pdu.response({ command_status: smpp.ESME_RINVBNDSTS }));
      return;
    }
    if (throttle > 0) {
      throttle -= 1;
      session.send(pdu.response({ command_status: smpp.ESME_RTHROTTLED }));
      emit({ event: 'throttled', to: pdu.destination_addr });
      return;
    }
    const messageId = String(nextMessageId++);
    const sm = pdu.short_message || {};
    const udh = Array.isArray(sm.udh) ? sm.udh.map(hex) : [];
    emit({
      event: 'submit',
      message_id: messageId,
      from: pdu.source_addr,
      to: pdu.destination_addr,
      text: typeof sm.message === 'string' ? sm.message : hex(sm.message),
      udh,
      data_coding: pdu.data_coding,
      esm_class: pdu.esm_class,
      registered_delivery: pdu.registered_delivery,
    });
    session.send(pdu.response({ message_id: messageId }));
    if (pdu.registered_delivery & 0x03) {
      receipt(session, pdu, messageId);
    }
  });
  session.on('enquire_link', (pdu) => {
    session.send(pdu.response());
    emit({ event: 'enquire_link' });
  });
  session.on('unbind', (pdu) => {
    emit({ event: 'unbind' });
    session.send(pdu.response());
    sessions.delete(session);
    session.close();
  });
  session.on('close', () => {
    sessions.delete(session);
    if (bound) emit({ event: 'closed' });
  });
  session.on('error', () => {
    sessions.delete(session);
  });
});

function encodeText(text, coding) {
  return coding === 8 ? Buffer.from(text, 'utf16le').swap16() : Buffer.from(text, 'latin1');
}

function mo(spec) {
  const coding = spec.coding || 0;
  for (const session of sessions) {
    sendDeliver(
      session,
      {
        source_addr: spec.from,
        destination_addr: spec.to,
        esm_class: 0,
        data_coding: coding,
        short_message: encodeText(spec.text, coding),
      },
      'mo',
    );
  }
}

function moParts(spec) {
  const coding = spec.coding || 0;
  const total = spec.texts.length;
  const ref = spec.ref || 1;
  const order = spec.order || spec.texts.map((_, i) => i);
  for (const session of sessions) {
    for (const i of order) {
      const udh = spec.ref16
        ? Buffer.from([0x06, 0x08, 0x04, (ref >> 8) & 0xff, ref & 0xff, total, i + 1])
        : Buffer.from([0x05, 0x00, 0x03, ref & 0xff, total, i + 1]);
      sendDeliver(
        session,
        {
          source_addr: spec.from,
          destination_addr: spec.to,
          esm_class: 0x40,
          data_coding: coding,
          short_message: Buffer.concat([udh, encodeText(spec.texts[i], coding)]),
        },
        'mo_part',
      );
    }
  }
}

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  if (!line.trim()) return;
  let command;
  try {
    command = JSON.parse(line);
  } catch (e) {
    emit({ event: 'error', error: String(e) });
    return;
  }
  if (command.mo) mo(command.mo);
  if (command.mo_parts) moParts(command.mo_parts);
  if (command.throttle) {
    throttle = Number(command.throttle);
    emit({ event: 'throttle_set', count: throttle });
  }
  if (command.drop) {
    for (const session of sessions) session.destroy();
    sessions.clear();
    emit({ event: 'dropped' });
  }
});

process.stdin.on('end', () => process.exit(0));

server.listen(port, '127.0.0.1', () => emit({ event: 'listening', port }));
