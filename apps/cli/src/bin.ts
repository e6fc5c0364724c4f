#!/usr/bin/env bun
import { quietOnClosedPipe } from './kit.ts';
import { main } from './main.ts';

quietOnClosedPipe();

process.exitCode = await main(process.argv.slice(2));
