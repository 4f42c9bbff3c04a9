// Which code each fuzz driver attacks, found in an implementation tree laid out like labs/:
// the frame decoder where lab 2 teaches it, the handshake and the sealed frames in lab 5's
// channel, the message checks in lab 6's messages.ts. (Labs 3 to 6 carry copies of framing.ts
// and lab 6 of channel.ts; the self-test checks that the copies are identical.)

import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Driver } from './engine.ts';
import { chatMessageDriver, type MessagesModule } from './drivers/chat-messages.ts';
import { frameDecoderDriver, type FramingModule } from './drivers/frame-decoder.ts';
import { clientHelloDriver, sealedFrameDriver, serverHelloDriver, type ChannelModule } from './drivers/hellos.ts';

interface Slot {
  name: string;
  /** The module's path inside the tree. */
  file: string;
  /** What the module must export for the driver to run. */
  needs: string[];
  make(module: unknown, seed: number): Driver;
}

export const slots: Slot[] = [
  { name: 'frame decoder', file: '02-framing/framing.ts', needs: ['FrameDecoder'], make: (m) => frameDecoderDriver(m as FramingModule) },
  { name: 'client hello', file: '05-encryption/channel.ts', needs: ['answerHello', 'ChannelError'], make: (m, seed) => clientHelloDriver(m as ChannelModule, seed) },
  { name: 'server hello', file: '05-encryption/channel.ts', needs: ['ClientHandshake', 'ChannelError'], make: (m, seed) => serverHelloDriver(m as ChannelModule, seed) },
  { name: 'sealed frame', file: '05-encryption/channel.ts', needs: ['ClientHandshake', 'answerHello', 'ChannelError'], make: (m, seed) => sealedFrameDriver(m as ChannelModule, seed) },
  {
    name: 'chat message',
    file: '06-audit/messages.ts',
    needs: ['parseMessage', 'ProtocolError', 'checkName', 'checkNewPassword', 'checkText'],
    make: (m) => chatMessageDriver(m as MessagesModule),
  },
];

export type Prepared = { name: string; driver: Driver } | { name: string; skipped: string } | { name: string; broken: string };

/** Loads each slot's module from `tree` and builds its driver; a tree without the file skips the driver. */
export async function prepare(tree: string, seed: number, only?: string): Promise<Prepared[]> {
  const prepared: Prepared[] = [];
  for (const slot of slots.filter((s) => !only || s.name === only)) {
    const file = path.join(tree, ...slot.file.split('/'));
    if (!existsSync(file)) {
      prepared.push({ name: slot.name, skipped: `no ${slot.file} in ${tree}` });
      continue;
    }
    let module: Record<string, unknown>;
    try {
      module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    } catch (err) {
      prepared.push({ name: slot.name, broken: `${slot.file} could not be loaded: ${(err as Error).message}` });
      continue;
    }
    const missing = slot.needs.filter((name) => typeof module[name] !== 'function');
    if (missing.length) {
      prepared.push({ name: slot.name, skipped: `${slot.file} exports no ${missing.join(', ')}` });
      continue;
    }
    try {
      prepared.push({ name: slot.name, driver: slot.make(module, seed) });
    } catch (err) {
      prepared.push({ name: slot.name, broken: `setting up failed: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}` });
    }
  }
  return prepared;
}
