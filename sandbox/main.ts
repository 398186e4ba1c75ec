import { startSandbox } from './server.js';

// Starts the sandbox platforms on their own: `npm run sandbox -- [port] [--enterprise]`. The first
// line on stdout is the URL; the Meta Graph API's base URL and sandbox app go to stderr.
const args = process.argv.slice(2);
const portArg = args.find((a) => /^\d+$/.test(a));
const port = portArg === undefined ? 0 : Number(portArg);
const sandbox = await startSandbox({ port, host: '127.0.0.1', enterprise: args.includes('--enterprise') });
process.stdout.write(`${sandbox.url}\n`);
const { app } = sandbox.meta.state;
process.stderr.write(
  `Meta Graph API: ${sandbox.meta.graphUrl} (app id ${app.id}, app secret ${app.secret})\n` +
    `Bluesky XRPC: ${sandbox.bluesky.serviceUrl}/xrpc (BLUESKY_SERVICE_URL=${sandbox.bluesky.serviceUrl}; actors through POST /sandbox/bluesky/actors)\n`,
);

const stop = () => {
  void sandbox.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
