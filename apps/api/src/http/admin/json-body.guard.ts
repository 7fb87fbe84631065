import {
  type CanActivate,
  type ExecutionContext,
  Injectable,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { type FastifyRequest } from 'fastify';

const isJson = (type: string | undefined): boolean =>
  (type ?? '').split(';')[0]?.trim().toLowerCase() === 'application/json';

/**
 * Sign-in takes JSON only: a form post from another site is a "simple" request that needs no
 * preflight, so accepting forms would let any page sign a browser in (login CSRF). A guard, so the
 * 415 comes before the body's validation (pipes run after guards).
 */
@Injectable()
export class JsonBodyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (!isJson(request.headers['content-type'])) {
      throw new UnsupportedMediaTypeException('sign in with a JSON body (application/json)');
    }
    return true;
  }
}
