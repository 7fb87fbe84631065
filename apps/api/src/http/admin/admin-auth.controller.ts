import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Post,
  Req,
  Res,
  UnsupportedMediaTypeException,
  UseGuards,
} from '@nestjs/common';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { ClientBudget } from '../../common/http/client-budget';
import { AppConfig } from '../../config/app-config';
import { clearedSessionCookie, parseCookies, SESSION_COOKIE, sessionCookie } from './admin-cookies';
import { AdminAuthGuard } from './admin-auth.guard';
import {
  type AdminSessionData,
  AdminAuthService,
  SignInRefused,
} from '../../domain/staff/admin-auth.service';
import { AdminPublic, CurrentAdmin } from './admin-role.decorator';
import { LoginBody, parseBody } from './admin-schemas';
import { csrfTokenFor } from '../../domain/staff/admin-tokens';
import { type AdminUserView } from '../../domain/staff/admin-user.types';

const isJson = (type: string | undefined): boolean =>
  (type ?? '').split(';')[0]?.trim().toLowerCase() === 'application/json';

/** Who is signed in, and the CSRF token that session's changes must carry. */
function signedIn(session: AdminSessionData): { user: AdminUserView; csrfToken: string } {
  return { user: session.user, csrfToken: csrfTokenFor(session.token) };
}

/** Sign-in, sign-out and "who am I" (which also hands the CSRF token out again after a reload). */
@Controller('admin/api')
@UseGuards(AdminAuthGuard)
export class AdminAuthController {
  constructor(
    private readonly auth: AdminAuthService,
    private readonly config: AppConfig,
    private readonly clientBudget: ClientBudget,
  ) {}

  private get secure(): boolean {
    return this.config.get('PUBLIC_URL').startsWith('https://');
  }

  @Post('login')
  @HttpCode(200)
  @AdminPublic()
  async login(
    @Body() body: unknown,
    @Headers('content-type') contentType: string | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<{ user: AdminUserView; csrfToken: string }> {
    // JSON only: a form post from another site is a "simple" request that needs no preflight,
    // so accepting forms would let any page sign a browser in (login CSRF).
    if (!isJson(contentType)) {
      throw new UnsupportedMediaTypeException('sign in with a JSON body (application/json)');
    }
    const { email, password } = parseBody(LoginBody, body);
    let result: Awaited<ReturnType<AdminAuthService['login']>>;
    try {
      result = await this.auth.login(email, password, request.ip);
    } catch (error) {
      if (error instanceof SignInRefused) {
        void reply.header('retry-after', String(Math.max(1, error.retryAfterSec)));
      }
      throw error;
    }
    void reply.header(
      'set-cookie',
      sessionCookie(result.token, { secure: this.secure, maxAgeSeconds: result.maxAgeSeconds }),
    );
    return { user: result.user, csrfToken: result.csrfToken };
  }

  @Post('logout')
  @HttpCode(200)
  async logout(
    @CurrentAdmin() session: AdminSessionData,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<{ ok: true }> {
    await this.auth.logout(session.sessionId);
    void reply.header('set-cookie', clearedSessionCookie(this.secure));
    return { ok: true };
  }

  /**
   * The panel's first call: who is signed in, or `user: null` (a 200, so opening the sign-in
   * page logs no failed request in the browser's console). Anonymous answers (no cookie, or a
   * guessed one) count against the address's budget; a signed-in admin's never do.
   */
  @Get('session')
  @AdminPublic()
  async session(
    @Headers('cookie') cookie: string | undefined,
    @Req() request: FastifyRequest,
  ): Promise<{ user: AdminUserView; csrfToken: string } | { user: null }> {
    const session = await this.auth.session(parseCookies(cookie).get(SESSION_COOKIE));
    if (session) return signedIn(session);
    await this.clientBudget.enforce('admin-session', request.ip);
    return { user: null };
  }

  @Get('me')
  me(@CurrentAdmin() session: AdminSessionData): { user: AdminUserView; csrfToken: string } {
    return signedIn(session);
  }
}
