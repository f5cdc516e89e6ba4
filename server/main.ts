/**
 * `npm start` entry: serves the built app and the demo endpoints on one origin.
 * Prints `wirescope listening on http://HOST:PORT` once listening (the browser tests read that line).
 */
import { CliError, helpText, parseCli } from './cli.ts';
import { startServer } from './app.ts';
import { classroomNotes, lanAddresses, terminalQr } from './classroom.ts';

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseCli(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    console.error(`wirescope: ${error.message}`);
    process.exit(2);
  }
  if (parsed.help) {
    process.stdout.write(helpText());
    return;
  }
  const running = await startServer(parsed.options);
  console.log(`wirescope listening on ${running.url}`);
  if (running.ctx.attackerPort !== undefined) {
    console.log(
      `wirescope: the security lesson's attacker page (a teaching aid, this machine only) is on http://127.0.0.1:${running.ctx.attackerPort}/`,
    );
  }
  const { options } = running.ctx;
  if (running.proxy) {
    console.log(`wirescope: in front of ${running.proxy.target}; every path but /__wirescope/ goes there`);
    console.log(`wirescope: watch it at ${running.proxy.ownUrl}`);
  }
  const notes = classroomNotes(options.host, running.port, options.publicHosts, lanAddresses());
  for (const line of notes.lines) console.log(line);
  if (notes.qrUrl) process.stdout.write(await terminalQr(notes.qrUrl));
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`wirescope: ${signal}, closing connections`);
    // A hard deadline in case something refuses to close: exit anyway, still with success.
    setTimeout(() => process.exit(0), running.ctx.options.shutdownGraceMs + 2_000).unref();
    running.close().then(
      () => process.exit(0),
      () => process.exit(0),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(`wirescope: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
