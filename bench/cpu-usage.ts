import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * Where a stretch of work spent CPU: this Node process, the Redis server, and everything else on
 * the machine (on the benchmark machine that is Postgres). Read from /proc, so Linux only; elsewhere
 * the figures are absent rather than wrong.
 */
export interface CpuSplit {
  'node CPU s': number;
  'redis CPU s': number;
  'rest of machine CPU s': number;
}

/** Clock ticks per second of /proc's CPU times (USER_HZ): getconf knows; 100 on every common Linux. */
const TICKS_PER_SECOND = (() => {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
})();

function machineBusyTicks(): number | null {
  try {
    const [cpu] = readFileSync('/proc/stat', 'utf8').split('\n');
    const fields = cpu!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal: busy is all but idle and iowait.
    return fields.reduce((sum, v, i) => (i === 3 || i === 4 ? sum : sum + v), 0);
  } catch {
    return null;
  }
}

function processTicks(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces) start at ") ": utime and stime are 14 and 15.
    const rest = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
    return Number(rest[11]) + Number(rest[12]);
  } catch {
    return null;
  }
}

/** Adds splits up (several measured stretches of one kind of work). */
export function sumCpu(splits: readonly (CpuSplit | null)[]): CpuSplit | null {
  if (splits.some((s) => s === null)) return null;
  const total: CpuSplit = { 'node CPU s': 0, 'redis CPU s': 0, 'rest of machine CPU s': 0 };
  for (const split of splits as CpuSplit[])
    for (const key of Object.keys(total) as (keyof CpuSplit)[])
      total[key] = Number((total[key] + split[key]).toFixed(1));
  return total;
}

/** Starts a measurement; `stop()` returns the CPU seconds each part used since, or null off Linux. */
export function measureCpu(redisPid: number | null): { stop(): CpuSplit | null } {
  const machine = machineBusyTicks();
  const redis = redisPid === null ? null : processTicks(redisPid);
  const node = process.cpuUsage();
  return {
    stop() {
      const machineAfter = machineBusyTicks();
      if (machine === null || machineAfter === null) return null;
      const used = process.cpuUsage(node);
      const nodeSeconds = (used.user + used.system) / 1e6;
      const redisAfter = redisPid === null ? null : processTicks(redisPid);
      const redisSeconds =
        redis === null || redisAfter === null ? 0 : (redisAfter - redis) / TICKS_PER_SECOND;
      const machineSeconds = (machineAfter - machine) / TICKS_PER_SECOND;
      const round = (n: number) => Number(n.toFixed(1));
      return {
        'node CPU s': round(nodeSeconds),
        'redis CPU s': round(redisSeconds),
        'rest of machine CPU s': round(Math.max(0, machineSeconds - nodeSeconds - redisSeconds)),
      };
    },
  };
}
