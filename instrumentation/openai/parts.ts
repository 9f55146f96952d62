import { textPart } from '../genai-json.ts';
import type { GenAIPart } from '../genai-json.ts';
import { asRecord, asString } from './read.ts';

/**
 * Content parts of both OpenAI APIs (Chat Completions `text`, `image_url`,
 * `input_audio`, `file`, `refusal`; Responses `input_text`, `output_text`,
 * `input_image`, `input_file`, `refusal`) as GenAI parts. Media bytes are not
 * copied onto spans — only what they are — so an image does not become a
 * megabyte attribute.
 */
export function contentParts(content: unknown): GenAIPart[] {
  if (typeof content === 'string') return [textPart(content)];
  if (!Array.isArray(content)) return [];
  const parts: GenAIPart[] = [];
  for (const item of content) {
    const part = contentPart(asRecord(item));
    if (part) parts.push(part);
  }
  return parts;
}

function contentPart(part: ReturnType<typeof asRecord>): GenAIPart | undefined {
  if (!part) return undefined;
  switch (part.type) {
    case 'text':
    case 'input_text':
    case 'output_text': {
      const text = asString(part.text);
      return text === undefined ? undefined : textPart(text);
    }
    case 'refusal': {
      const refusal = asString(part.refusal);
      return refusal === undefined ? undefined : { type: 'refusal', content: refusal };
    }
    case 'image_url':
      return imagePart(asString(asRecord(part.image_url)?.url));
    case 'input_image': {
      const fileId = asString(part.file_id);
      return fileId ? { type: 'file', modality: 'image', file_id: fileId } : imagePart(asString(part.image_url));
    }
    case 'input_audio': {
      const format = asString(asRecord(part.input_audio)?.format);
      return { type: 'blob', modality: 'audio', ...(format && { mime_type: `audio/${format}` }) };
    }
    case 'file':
    case 'input_file': {
      const file = asRecord(part.file) ?? part;
      const fileId = asString(file.file_id);
      const filename = asString(file.filename);
      return { type: 'file', ...(fileId && { file_id: fileId }), ...(filename && { filename }) };
    }
    default:
      return undefined;
  }
}

function imagePart(url: string | undefined): GenAIPart | undefined {
  if (!url) return undefined;
  if (url.startsWith('data:')) {
    const mimeType = /^data:([^;,]+)/.exec(url)?.[1];
    return { type: 'blob', modality: 'image', ...(mimeType && { mime_type: mimeType }) };
  }
  return { type: 'uri', modality: 'image', uri: url };
}
