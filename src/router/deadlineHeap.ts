/** An item due at `at`. @internal */
export interface Deadline {
  at: number
}

/**
 * A binary min-heap of deadlines: the soonest in O(1), add and remove-soonest in O(log n). The
 * tag throttle keeps one deadline per open window in it, so that thousands of open windows cost
 * no scan per offer.
 * @internal
 */
export class DeadlineHeap<T extends Deadline> {
  private readonly items: T[] = []

  get size(): number {
    return this.items.length
  }

  peek(): T | undefined {
    return this.items[0]
  }

  push(item: T): void {
    const items = this.items
    items.push(item)
    let index = items.length - 1
    while (index > 0) {
      const parent = (index - 1) >> 1
      if ((items[parent] as T).at <= item.at) break
      items[index] = items[parent] as T
      index = parent
    }
    items[index] = item
  }

  pop(): T | undefined {
    const items = this.items
    const top = items[0]
    const last = items.pop()
    if (top === undefined || last === undefined || items.length === 0) return top
    let index = 0
    for (;;) {
      const left = 2 * index + 1
      if (left >= items.length) break
      const right = left + 1
      const child = right < items.length && (items[right] as T).at < (items[left] as T).at ? right : left
      if ((items[child] as T).at >= last.at) break
      items[index] = items[child] as T
      index = child
    }
    items[index] = last
    return top
  }

  clear(): void {
    this.items.length = 0
  }
}
