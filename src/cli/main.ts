#!/usr/bin/env node
// The only place that reads process state and sets the exit code.

// The Node.js version is checked before anything else is loaded: on an older Node the modules below fail with
// errors that do not say why. Keep in step with package.json "engines" (a test checks).
const MIN_NODE_MAJOR = 20;
const major = Number(process.versions.node.split('.')[0]);
if (!(major >= MIN_NODE_MAJOR)) {
  process.stderr.write(
    `segflow needs Node.js ${MIN_NODE_MAJOR} or later; this is Node.js ${process.versions.node} (${process.execPath}).\n` +
      `Install Node.js ${MIN_NODE_MAJOR} LTS or later (https://nodejs.org, or nvm install ${MIN_NODE_MAJOR}) and run segflow with it.\n`,
  );
  process.exit(2);
}
const { runCli } = await import('./run.js');

// segflow supports Node 20 with the SDK versions its lockfile pins; the SDK's notice that later releases will
// need Node 22 is for SDK users upgrading, not for segflow's users, and would clutter every command's output.
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
const controller = new AbortController();
let interrupts = 0;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130); // a second Ctrl-C means "now"
    process.stderr.write(`\n${sig}: stopping cleanly (press Ctrl-C again to force)\n`);
    controller.abort(new Error(sig));
  });
}

// `segflow ... | head` closes our stdout early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

const code = await runCli(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  isTTY: Boolean(process.stdout.isTTY),
  signal: controller.signal,
});
process.exitCode = code;
