import { startSandbox } from './server.js';

// Starts the sandbox platforms on their own: `npm run sandbox -- [port] [--enterprise]`.
const args = process.argv.slice(2);
const portArg = args.find((a) => /^\d+$/.test(a));
const port = portArg === undefined ? 0 : Number(portArg);
const sandbox = await startSandbox({ port, host: '127.0.0.1', enterprise: args.includes('--enterprise') });
process.stdout.write(`${sandbox.url}\n`);

const stop = () => {
  void sandbox.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
