import { main } from '@mockstack/cli';

process.exitCode = await main(process.argv.slice(2));
