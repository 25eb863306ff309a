// The simulator's command line as people run it (`npm run simulator -- …`), and the gateway's
// `--time-scale` for its embedded simulator: flags taken, bad ones refused with exit code 2.
import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { DEMO_TOKEN } from '../../src/simulator/server.ts';
import { SIMULATOR_FIREWALLS, SIMULATOR_PROJECT_ID } from '../../src/simulator/store.ts';
import { runNode } from '../helpers/process.ts';
import { until } from '../helpers/until.ts';

const Records = z.object({ data: z.object({ records: z.array(z.record(z.string(), z.unknown())) }) });

async function get(url: string): Promise<unknown> {
  const response = await fetch(url, { headers: { 'X-Auth-Token': DEMO_TOKEN } });
  return response.json();
}

describe('npm run simulator', () => {
  it('takes --time-scale, --deleted-retention and --result-form: deleted tasks vanish after the scaled retention, results come as file lists', async () => {
    const run = runNode(['src/simulator/main.ts', '--port', '0', '--time-scale', '600', '--deleted-retention', '30', '--result-form', 'file-list'], {});
    try {
      const [, base = ''] = await run.waitFor(/CFW simulator at (http:\/\/\S+) \(project \S+, token demo-token, time 600x\)/);
      expect(run.stdout()).toContain(`lab ${SIMULATOR_FIREWALLS.lab}`);
      const api = `${base}/v1/${SIMULATOR_PROJECT_ID}/capture-task`;
      const demo = SIMULATOR_FIREWALLS.demo;
      const records = async () => Records.parse(await get(`${api}?fw_instance_id=${demo}&limit=1024&offset=0`)).data.records;
      const finished = (await records()).find(
        (record) =>
          record['status'] === 1 && record['is_deleted'] === 0 && /^[1-9]/.test(String(record['capture_size'])) && Number(record['remaining_days']) > 0,
      );
      const taskId = z.string().parse(finished?.['task_id']);
      expect(await get(`${api}/capture-result?fw_instance_id=${demo}&task_id=${taskId}`)).toEqual({
        data: { file_list: [expect.objectContaining({ file_name: expect.stringMatching(/\.pcap$/) })] },
      });

      const deleted = await fetch(`${api}/batch-delete?fw_instance_id=${demo}`, {
        method: 'POST',
        headers: { 'X-Auth-Token': DEMO_TOKEN },
        body: JSON.stringify({ task_ids: [taskId] }),
      });
      expect(deleted.status).toBe(200);
      // 30 simulated seconds are 50 real ms at 600x: wait for the event, not for a time.
      await until(async () => !(await records()).some((record) => record['task_id'] === taskId), 'the deleted task to vanish', 10_000);
    } finally {
      run.child.kill('SIGTERM');
      await run.exited;
    }
  });

  it('takes --token, repeated: each token is accepted besides the demo token, any other refused', async () => {
    const run = runNode(['src/simulator/main.ts', '--port', '0', '--token', 'caller-a', '--token', 'caller-b'], {});
    try {
      const [, base = ''] = await run.waitFor(/CFW simulator at (http:\/\/\S+) \(project \S+, token demo-token and 2 more\)/);
      const list = (token: string) =>
        fetch(`${base}/v1/${SIMULATOR_PROJECT_ID}/capture-task?fw_instance_id=${SIMULATOR_FIREWALLS.demo}&limit=1&offset=0`, {
          headers: { 'X-Auth-Token': token },
        });
      expect((await list('caller-a')).status).toBe(200);
      expect((await list('caller-b')).status).toBe(200);
      expect((await list(DEMO_TOKEN)).status).toBe(200);
      expect((await list('caller-c')).status).toBe(401);
    } finally {
      run.child.kill('SIGTERM');
      await run.exited;
    }
  });

  it.each([
    [['--token', 'has space'], '--token must be 1 to 128 letters, digits, _, . or -, got "has space"'],
    [['--time-scale', 'fast'], '--time-scale must be a positive number up to 1000000, got "fast"'],
    [['--time-scale', '0'], '--time-scale must be a positive number up to 1000000, got "0"'],
    [['--deleted-retention', 'ten'], '--deleted-retention must be a whole number, got "ten"'],
    [['--result-form', 'xml'], '--result-form must be url or file-list, got "xml"'],
  ])('refuses %p with exit code 2 and says why', async (args, message) => {
    const run = runNode(['src/simulator/main.ts', '--port', '0', ...args], {});
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toContain(message);
  });
});

describe('npm start -- --time-scale', () => {
  it('refuses a bad time scale with exit code 2 before starting', async () => {
    const run = runNode(['src/main.ts', '--time-scale', 'soon'], { PORT: '0' });
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toBe('capture-gateway cannot start.\n--time-scale must be a positive number up to 1000000, got "soon"\n');
  });
});
