/**
 * `sensorctl decode <chip>`: decode raw bytes a user pasted, offline, into the values the agent would
 * store, or say which field is invalid and why. Exit 0 when something valid was decoded, 1 when
 * nothing was, 2 on malformed input.
 */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import {
  DECODE_CHIPS, DecodeInputError, decodeBh1750Raw, decodeBmeRegisters, decodeShtFrame, decodeW1Text, parseHexBytes, parseI2cdump, parseRegArgs,
  type DecodeChip, type DecodeReport,
} from '../../sensors/offline-decode.js';
import { METRICS, isMetric } from '../../builder/metrics.js';
import { EXIT_FAILURE, EXIT_OK, UsageError, globalOptions, output, repeatableOption } from '../context.js';

interface DecodeOptions {
  dump?: string;
  reg: string[];
  frame?: string;
  raw?: string;
  mode: string;
  mtreg: string;
  file?: string;
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (err) {
    throw new UsageError(`${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

function decode(chip: DecodeChip, options: DecodeOptions): DecodeReport {
  const need = (v: string | undefined, flag: string, example: string): string => {
    if (v === undefined) throw new UsageError(`decode ${chip} needs ${flag}, e.g. ${example}`);
    return v;
  };
  switch (chip) {
    case 'bme280': case 'bmp280': {
      if (options.dump === undefined && options.reg.length === 0) throw new UsageError(`decode ${chip} needs --dump FILE (i2cdump output) or --reg ADDR=HEXBYTES (0x88=<26 bytes> 0xE1=<7 bytes> 0xF7=<8 bytes>)`);
      const regs = options.dump !== undefined ? parseI2cdump(readText(options.dump, '--dump')) : new Map<number, number>();
      for (const [k, v] of parseRegArgs(options.reg)) regs.set(k, v);
      return decodeBmeRegisters(chip, regs);
    }
    case 'sht3x': case 'sht4x':
      return decodeShtFrame(chip, parseHexBytes(need(options.frame, '--frame HEX', '--frame "64 8B C7 5E B9 3C"'), '--frame'));
    case 'bh1750':
      return decodeBh1750Raw(parseHexBytes(need(options.raw, '--raw HEX', '--raw "83 90"'), '--raw'), options.mode, Number(options.mtreg));
    case 'ds18b20':
      return decodeW1Text(readText(need(options.file, '--file PATH', '--file /sys/bus/w1/devices/28-0316a2795aff/w1_slave'), '--file'));
  }
}

function formatText(r: DecodeReport): string {
  const lines = [`${r.chip.toUpperCase()}`];
  for (const n of r.notes) lines.push(`  ${n}`);
  for (const [metric, value] of Object.entries(r.values)) {
    const label = isMetric(metric) ? METRICS[metric].label : metric;
    const unit = isMetric(metric) ? METRICS[metric].unit : '';
    if (value !== null) lines.push(`  ${label.padEnd(12)} ${Number(value.toFixed(6))} ${unit}   (${metric})`);
    else {
      const why = r.problems.filter((p) => p.metric === metric).map((p) => `${p.code}: ${p.message}`).join('; ') || 'not available';
      lines.push(`  ${label.padEnd(12)} invalid — ${why}`);
    }
  }
  return lines.join('\n');
}

export function register(program: Command): void {
  program
    .command('decode')
    .description('decode raw sensor bytes offline (troubleshooting a pasted dump)')
    .addArgument(new Command().createArgument('<chip>', `one of ${DECODE_CHIPS.join(', ')}`).choices(DECODE_CHIPS))
    .option('--dump <file>', 'BME280/BMP280: the text of `i2cdump -y 1 0x76` ("-" = stdin)')
    .addOption(repeatableOption('--reg <addr=hex>', 'BME280/BMP280: register bytes from ADDR, repeatable'))
    .option('--frame <hex>', 'SHT3x/SHT4x: the 6-byte measurement frame')
    .option('--raw <hex>', 'BH1750: the 2-byte result, high byte first')
    .addOption(new Option('--mode <mode>', 'BH1750 resolution mode').choices(['h', 'h2', 'l']).default('h'))
    .option('--mtreg <n>', 'BH1750 MTreg (31–254)', '69')
    .option('--file <path>', 'DS18B20: a w1_slave file ("-" = stdin)')
    .addHelpText('after', `
Examples:
  sensorctl decode sht3x --frame "64 8B C7 5E B9 3C"
  sensorctl decode bme280 --dump bme280.txt --json
  sensorctl decode bme280 --reg 0x88=<26 bytes> --reg 0xE1=<7 bytes> --reg 0xF7=<8 bytes>
  sensorctl decode bh1750 --raw "83 90" --mode h --mtreg 69
  sensorctl decode ds18b20 --file w1_slave`)
    .action((chip: DecodeChip, options: DecodeOptions, cmd: Command) => {
      const g = globalOptions(cmd);
      let r: DecodeReport;
      try {
        r = decode(chip, options);
      } catch (err) {
        if (err instanceof DecodeInputError) throw new UsageError(`decode ${chip}: ${err.message}`);
        throw err;
      }
      const json = { chip: r.chip, ...r.values, problems: r.problems.map((p) => ({ field: p.metric ?? null, code: p.code, message: p.message })), notes: r.notes };
      output(g, json, () => formatText(r));
      process.exitCode = Object.values(r.values).some((v) => v !== null) ? EXIT_OK : EXIT_FAILURE;
    });
}
