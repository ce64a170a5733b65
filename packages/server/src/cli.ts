#!/usr/bin/env node
// The `switchyard` executable: everything lives in runCli so tests can run it in-process.
import { runCli } from './run-cli.js';

process.exitCode = await runCli(process.argv.slice(2));
