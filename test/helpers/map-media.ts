/** A MediaStore in a Map, for handler tests. */
import type { MediaStore } from '../../functions/ports/media-store.port.ts'

export class MapMedia implements MediaStore {
  readonly objects = new Map<string, Uint8Array>()
  async put(key: string, bytes: Uint8Array) {
    this.objects.set(key, bytes)
  }
  async get(key: string) {
    return this.objects.get(key)
  }
}
