import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../../config/app-config';
import {
  MediaDownloadError,
  OutboundHttp,
} from '../../../integrations/outbound/outbound-http.service';
import { ProviderError } from '../../../integrations/ai-providers/provider-error';
import { type AiImage } from '../../../integrations/ai-providers/provider.types';
import { OpenAiTranscriber } from '../../../integrations/ai-providers/openai-transcriber';
import { inlineImage, UnsupportedImageError } from './media-inliner';
import { extractMedia } from './message-media';

export type PreparedInput = {
  text: string;
  images: AiImage[];
  /** What LOG adds after `ok`: `#image`, `#audio`, both or none. */
  tags: string[];
};

const mediaError = (message: string) =>
  new ProviderError({ provider: 'media', errorClass: 'bad_request', message });

/**
 * Turns the prompt and the customer's message into a provider input: images found in the
 * message are downloaded (through the outbound guard) and inlined, a voice note is transcribed
 * with the account's OpenAI key and added to the prompt.
 */
@Injectable()
export class MediaPreparer {
  private readonly transcriber: OpenAiTranscriber;

  constructor(
    private readonly outbound: OutboundHttp,
    private readonly config: AppConfig,
  ) {
    this.transcriber = new OpenAiTranscriber({ fetch: outbound.fetch });
  }

  async prepare(prompt: string, message: string, openAiKey: string | null): Promise<PreparedInput> {
    const fromPrompt = extractMedia(prompt);
    const fromMessage = extractMedia(message);
    const imageUrls = [...new Set([...fromPrompt.images, ...fromMessage.images])].slice(0, 4);
    const audioUrls = [...new Set([...fromPrompt.audio, ...fromMessage.audio])].slice(0, 1);
    let text = fromPrompt.text;
    const tags: string[] = [];

    const images: AiImage[] = [];
    for (const url of imageUrls) {
      const file = await this.download(url, 'image');
      try {
        images.push(inlineImage(file.bytes, file.mimeType));
      } catch (error) {
        if (error instanceof UnsupportedImageError) throw mediaError(error.message);
        throw error;
      }
    }
    if (images.length > 0) tags.push('#image');

    const audio = audioUrls[0];
    if (audio) {
      if (!openAiKey) {
        throw new ProviderError({
          provider: 'OpenAI',
          errorClass: 'config',
          message: 'voice notes need an OpenAI API key; add it in the GPT Bridge widget settings',
        });
      }
      const file = await this.download(audio, 'audio');
      const { text: transcript } = await this.transcriber.transcribe({
        apiKey: openAiKey,
        baseUrl: this.config.get('OPENAI_BASE_URL'),
        model: this.config.get('OPENAI_TRANSCRIBE_MODEL'),
        file,
        timeoutMs: this.config.get('AI_ATTEMPT_TIMEOUT_MS'),
      });
      text = text.trim() === '' ? transcript : `${text}\n\n${transcript}`;
      tags.push('#audio');
    }
    return { text: text.trim(), images, tags };
  }

  private async download(url: string, accept: 'image' | 'audio') {
    try {
      return await this.outbound.download(url, { accept });
    } catch (error) {
      if (error instanceof MediaDownloadError) {
        throw mediaError(`could not read the ${accept} (${error.message})`);
      }
      throw error;
    }
  }
}
