#!/usr/bin/env node
/** Entry of the administrative commands (see admin/admin.ts). */
import { runAdmin } from './admin/admin.js';

const outcome = await runAdmin(process.argv.slice(2), process.env);
process.stdout.write(outcome.stdout);
process.stderr.write(outcome.stderr);
process.exitCode = outcome.code;
