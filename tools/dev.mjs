// `npm run dev`: the service (tsx, restarted by hand) and the web app with
// hot reload (Vite at http://127.0.0.1:5173, sending /api to the service).
import { spawn } from 'node:child_process';

const port = process.env.PORT ?? '3000';
const children = [
  spawn(
    'npx',
    ['tsx', '--tsconfig', 'apps/api/tsconfig.json', 'apps/api/src/main.ts'],
    // Demo users and episodes on an empty database, as `npm start`.
    {
      stdio: 'inherit',
      env: { DEMO_DATA: 'true', ...process.env, PORT: port },
    },
  ),
  spawn(
    'npx',
    ['vite', '--config', 'apps/web/vite.config.ts', '--host', '127.0.0.1'],
    { stdio: 'inherit', env: { ...process.env, PORT: port } },
  ),
];
const stop = () => {
  for (const child of children) child.kill('SIGTERM');
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
for (const child of children) {
  child.on('exit', (code) => {
    stop();
    process.exitCode = code ?? 0;
  });
}
