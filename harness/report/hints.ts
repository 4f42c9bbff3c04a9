// From a failure's symptoms to the concept behind it. A symptom the learner can see
// (a crash on an unhandled 'error', a refused connection, a blocked event loop) beats the
// scenario's general hint, because it names what actually went wrong.

import type { ScenarioSpec } from '../manifest.ts';
import type { FailureReport } from '../runner/results.ts';

interface Rule {
  applies(failure: FailureReport): boolean;
  hint: string;
}

const rules: Rule[] = [
  {
    applies: (f) => /Unhandled 'error' event/.test(f.output ?? ''),
    hint:
      "Your program crashed on an unhandled 'error' event. Sockets report trouble (a client that vanished: ECONNRESET, EPIPE) " +
      "as 'error' events, and an 'error' event with no listener throws and stops the whole process. Give every socket an error listener: socket.on('error', …).",
  },
  {
    applies: (f) => f.details?.kind === 'start' && /(SyntaxError|TransformError|ERR_MODULE_NOT_FOUND|Cannot find module)/.test(f.output ?? ''),
    hint: 'Your program did not start: the first error in its output below says where. Fix it, then run the lab again.',
  },
  {
    applies: (f) => f.details?.kind === 'start' && /did not print/.test(f.message),
    hint: 'The harness waits for the line "listening on 127.0.0.1:<port>" on standard output. Keep the start-up code of the stub: listen on the port given as the first argument, then print that line from the listen callback.',
  },
  {
    applies: (f) => f.details?.kind === 'start' && /exited with code|was killed/.test(f.message),
    hint: 'Your program ended before it was listening. A server stays alive because its server socket is listening: check that server.listen() is called and that nothing exits the process (process.exit, an uncaught exception) first. Its output below shows how far it got.',
  },
  {
    applies: (f) => Boolean(f.program?.blockedForMs) || /event loop/.test(f.message),
    hint:
      'Your program\'s event loop was blocked. Node runs your code on one thread: while a loop runs (or a synchronous call waits), ' +
      'no other event is handled: no data, no new connection, no timer. Never wait for something in a loop; react to events instead.',
  },
  {
    applies: (f) => f.details?.kind === 'refused' || f.details?.code === 'ECONNREFUSED',
    hint: 'Nothing accepted the connection. Is your server still running, and listening on the port it was given (process.argv[2]) on 127.0.0.1?',
  },
  {
    applies: (f) => f.details?.kind === 'crashed' || f.program?.alive === false,
    hint: 'Your program stopped while the scenario ran. Its output below shows why; a server must survive anything a client does.',
  },
  {
    applies: (f) => f.details?.code === 'ECONNRESET',
    hint: 'The connection was reset (RST): your program destroyed the socket, or its process stopped, while the harness still expected data.',
  },
];

export function hintFor(failure: FailureReport, spec: ScenarioSpec | undefined): string | undefined {
  return rules.find((rule) => rule.applies(failure))?.hint ?? spec?.hint;
}
