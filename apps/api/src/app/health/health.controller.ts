import { Controller, Get } from '@nestjs/common';

import { masProtocol } from '@mas/protocol';

import { Public } from '../auth/auth.guard.js';

/** Whether the service is up, and which protocol it runs. */
@Controller('api')
export class HealthController {
  @Public()
  @Get('health')
  health() {
    return {
      status: 'ok',
      protocol: { version: masProtocol.version, hash: masProtocol.hash },
    };
  }
}
