// A single request with node:http and no keep-alive: for checks and cold-start polling, not load.
import http from 'node:http';

export interface Answer {
  readonly status: number;
  readonly body: string;
}

export function request(url: string, options: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string | undefined }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = http.request(url, { method: options.method, headers: options.headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}
