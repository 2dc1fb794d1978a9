import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { KESTREL_BIN, tempDir } from '../../helpers/cli.js';
import { makeTestCase, type TestCase } from './fixture.js';

/**
 * The passphrase asked for on a real terminal (tmux gives the command a pseudo-terminal, as an
 * examiner's console does): typed twice, never echoed, never on disk.
 */
let tc: TestCase;
const sessions: string[] = [];

beforeAll(() => {
  tc = makeTestCase();
});

afterEach(() => {
  for (const s of sessions.splice(0)) spawnSync('tmux', ['kill-session', '-t', s]);
});

function startInTerminal(command: string): { screen: () => string; type: (text: string) => void } {
  const session = `kestrel-export-${process.pid}-${sessions.length}`;
  sessions.push(session);
  execFileSync('tmux', ['new-session', '-d', '-s', session, '-x', '200', '-y', '50', `${command}; echo EXIT=$?; sleep 60`]);
  return {
    screen: () => execFileSync('tmux', ['capture-pane', '-p', '-t', session], { encoding: 'utf8' }),
    type: (text: string) => {
      execFileSync('tmux', ['send-keys', '-t', session, '-l', text]);
      execFileSync('tmux', ['send-keys', '-t', session, 'Enter']);
    },
  };
}

async function waitFor(screen: () => string, text: string): Promise<string> {
  const until = Date.now() + 60_000;
  for (;;) {
    const s = screen();
    if (s.includes(text)) return s;
    if (Date.now() > until) throw new Error(`"${text}" did not appear; the screen shows:\n${s}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('kestrel export --media encrypted on a terminal', () => {
  it('asks for the passphrase twice without echoing it, and 7-Zip opens the media with it', async () => {
    const passphrase = 'typed at the console 42';
    const out = join(tempDir('export-tty'), 'package');
    const t = startInTerminal(`${process.execPath} ${KESTREL_BIN} export ${tc.caseDir} ${out} --media encrypted`);
    await waitFor(t.screen, 'Passphrase for the media zip:');
    t.type(passphrase);
    await waitFor(t.screen, 'Repeat the passphrase:');
    t.type(passphrase);
    const screen = await waitFor(t.screen, 'EXIT=');
    expect(screen).toContain('EXIT=0');
    expect(screen).not.toContain(passphrase);
    const test = spawnSync('7z', ['t', `-p${passphrase}`, join(out, 'media.zip')], { encoding: 'utf8' });
    expect(test.status, test.stdout).toBe(0);
  });

  it('refuses when the two passphrases differ, and writes nothing', async () => {
    const out = join(tempDir('export-tty'), 'package');
    const t = startInTerminal(`${process.execPath} ${KESTREL_BIN} export ${tc.caseDir} ${out} --media encrypted`);
    await waitFor(t.screen, 'Passphrase for the media zip:');
    t.type('first passphrase typed');
    await waitFor(t.screen, 'Repeat the passphrase:');
    t.type('second passphrase typo');
    const screen = await waitFor(t.screen, 'EXIT=');
    expect(screen).toContain('the two passphrases differ');
    expect(screen).toContain('EXIT=1');
    expect(existsSync(out)).toBe(false);
  });
});
