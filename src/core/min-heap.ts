// A binary min-heap whose items remember their position, so any item can be removed or re-keyed in O(log n).

/** An item the heap can hold: `heapIndex` is maintained by the heap (-1 while outside it). */
export interface HeapItem {
  heapIndex: number;
}

/**
 * Min-heap ordered by `compare` (negative when `left` comes first). Items carry their own index
 * so removal by identity needs no search; an item may be in at most one heap at a time.
 */
export class MinHeap<T extends HeapItem> {
  readonly #items: T[] = [];
  readonly #compare: (left: T, right: T) => number;

  constructor(compare: (left: T, right: T) => number) {
    this.#compare = compare;
  }

  /** Number of items held. */
  get size(): number {
    return this.#items.length;
  }

  /** The first item, without removing it. */
  peek(): T | undefined {
    return this.#items[0];
  }

  /** Whether `item` is currently in this heap. */
  has(item: T): boolean {
    return item.heapIndex >= 0 && this.#items[item.heapIndex] === item;
  }

  /** Adds `item`; it must not already be in a heap. */
  push(item: T): void {
    item.heapIndex = this.#items.length;
    this.#items.push(item);
    this.#siftUp(item.heapIndex);
  }

  /** Removes and returns the first item. */
  pop(): T | undefined {
    const first = this.#items[0];
    if (first !== undefined) this.remove(first);
    return first;
  }

  /** Removes `item` if it is in the heap; returns whether it was. */
  remove(item: T): boolean {
    if (!this.has(item)) return false;
    const index = item.heapIndex;
    const last = this.#items.pop() as T;
    item.heapIndex = -1;
    if (last !== item) {
      this.#place(last, index);
      // The moved item may belong above or below its new position; only one direction applies.
      this.#siftUp(index);
      this.#siftDown(last.heapIndex);
    }
    return true;
  }

  /** Restores order after the caller changed `item`'s sort key; adds it when absent. */
  update(item: T): void {
    if (!this.has(item)) {
      this.push(item);
      return;
    }
    this.#siftUp(item.heapIndex);
    this.#siftDown(item.heapIndex);
  }

  /** Removes every item. */
  clear(): void {
    for (const item of this.#items) item.heapIndex = -1;
    this.#items.length = 0;
  }

  /** The held items in no particular order (a copy). */
  toArray(): T[] {
    return [...this.#items];
  }

  #place(item: T, index: number): void {
    this.#items[index] = item;
    item.heapIndex = index;
  }

  #siftUp(start: number): void {
    let index = start;
    const item = this.#items[index] as T;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = this.#items[parentIndex] as T;
      if (this.#compare(item, parent) >= 0) break;
      this.#place(parent, index);
      index = parentIndex;
    }
    this.#place(item, index);
  }

  #siftDown(start: number): void {
    const count = this.#items.length;
    let index = start;
    const item = this.#items[index] as T;
    for (;;) {
      const leftIndex = 2 * index + 1;
      if (leftIndex >= count) break;
      const rightIndex = leftIndex + 1;
      let childIndex = leftIndex;
      if (rightIndex < count && this.#compare(this.#items[rightIndex] as T, this.#items[leftIndex] as T) < 0) {
        childIndex = rightIndex;
      }
      const child = this.#items[childIndex] as T;
      if (this.#compare(child, item) >= 0) break;
      this.#place(child, index);
      index = childIndex;
    }
    this.#place(item, index);
  }
}
