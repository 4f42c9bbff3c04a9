// Lab 1's hidden scenarios: each one talks to the learner's echo server over real TCP.

import { findLab } from '../../manifest.ts';
import { defineLab } from '../../kit/scenario.ts';
import { churn } from '../../kit/load.ts';
import { pseudoRandomBytes } from '../../kit/data.ts';

defineLab(findLab('echo')!, {
  'echo-text': async ({ connect }) => {
    const client = await connect();
    await client.send('hello, socketlab\n');
    await client.expectBytes('hello, socketlab\n');
  },

  'every-byte-value': async ({ connect }) => {
    const client = await connect();
    const everyByte = Uint8Array.from({ length: 256 }, (_, i) => i);
    await client.send(everyByte);
    await client.expectBytes(everyByte);
  },

  'large-payload': async ({ connect }) => {
    const client = await connect();
    const payload = pseudoRandomBytes(4 * 1024 * 1024, 1);
    // Send and read at the same time: the echo flows back while we are still writing.
    await Promise.all([client.send(payload), client.expectBytes(payload, { withinMs: 3000, what: 'the 4 MiB payload back in full' })]);
  },

  'concurrent-clients': async ({ connect }) => {
    const clients = [];
    for (let i = 1; i <= 10; i++) clients.push(await connect(`client ${i}`));
    const sent: string[] = clients.map(() => '');
    for (let round = 1; round <= 3; round++) {
      for (const [i, client] of clients.entries()) {
        const line = `client ${i + 1}, round ${round}\n`;
        sent[i] += line;
        await client.send(line);
      }
    }
    for (const [i, client] of clients.entries()) await client.expectBytes(sent[i]!, { what: `client ${i + 1}'s own ${sent[i]!.length} bytes back` });
  },

  'half-close': async ({ connect }) => {
    const client = await connect();
    await client.sendSplit('last words before I go\n', [5, 5]);
    client.halfClose();
    await client.expectBytes('last words before I go\n');
    await client.expectClose({ what: 'the server to close its side after the client half-closed' });
  },

  'client-reset': async ({ connect }) => {
    const rude = await connect('rude client');
    // Enough data that the server is still echoing when the reset arrives.
    await rude.send(pseudoRandomBytes(256 * 1024, 2));
    rude.reset();
    const next = await connect('next client');
    for (const word of ['still', 'there?\n']) {
      await next.send(word);
      await next.expectBytes(word);
    }
  },

  'connect-churn': async ({ program, transcript, connect }) => {
    await churn(program.host, program.port, transcript, 200);
    const client = await connect('client after the churn');
    await client.send('are you still there?\n');
    await client.expectBytes('are you still there?\n');
  },
});
