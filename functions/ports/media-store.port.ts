/**
 * MediaStore: pictures, voice and other files posted to groups, kept apart from the events
 * (an SQS message holds at most 256 KiB; an event carries only the media key).
 *
 * @example
 *   await media.put('r1/m42.jpg', bytes, 'image/jpeg')
 *   const bytes = await media.get('r1/m42.jpg') // undefined when absent
 */
export interface MediaStore {
  put(key: string, bytes: Uint8Array, contentType: string): Promise<void>
  get(key: string): Promise<Uint8Array | undefined>
}

export class MediaStoreError extends Error {
  override name = 'MediaStoreError'
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
  }
}

/** Keys are relative paths of safe characters: no empty segments, no `..`, no leading `/`. */
export function checkMediaKey(key: string): void {
  if (!/^[\w.@-]+(\/[\w.@-]+)*$/.test(key) || key.split('/').some((s) => s === '..' || s === '.')) {
    throw new MediaStoreError(`invalid media key "${key}": use letters, digits, . _ - @ and / between segments`)
  }
}
