/**
 * The binary user x item matrix in both orientations (CSR by user and by item), duplicates collapsed.
 * Rows within each list are sorted ascending, so every traversal happens in the same order on any machine.
 */
export interface Matrix {
  numUsers: number;
  numItems: number;
  /** userPtr[u]..userPtr[u+1] index userItems: the items u interacted with. */
  userPtr: Int32Array;
  userItems: Int32Array;
  /** itemPtr[i]..itemPtr[i+1] index itemUsers: the users who interacted with i. */
  itemPtr: Int32Array;
  itemUsers: Int32Array;
}

/** Builds the matrix from row columns; rows where keep is given and keep[r] === 0 are left out. */
export function buildMatrix(
  numUsers: number,
  numItems: number,
  user: Int32Array,
  item: Int32Array,
  keep?: Uint8Array,
): Matrix {
  const n = user.length;
  // Counting sort by user, then sort and dedupe each user's items.
  const count = new Int32Array(numUsers + 1);
  for (let r = 0; r < n; r++) if (!keep || keep[r]) count[user[r]! + 1]!++;
  for (let u = 0; u < numUsers; u++) count[u + 1]! += count[u]!;
  const fill = count.slice(0, numUsers);
  const raw = new Int32Array(count[numUsers]!);
  for (let r = 0; r < n; r++) if (!keep || keep[r]) raw[fill[user[r]!]!++] = item[r]!;
  const userPtr = new Int32Array(numUsers + 1);
  let w = 0;
  for (let u = 0; u < numUsers; u++) {
    const seg = raw.subarray(count[u]!, count[u + 1]!);
    seg.sort();
    let prev = -1;
    for (let k = 0; k < seg.length; k++) {
      const v = seg[k]!;
      if (v !== prev) raw[w++] = v;
      prev = v;
    }
    userPtr[u + 1] = w;
  }
  const userItems = raw.slice(0, w);
  return { numUsers, numItems, userPtr, userItems, ...transpose(numUsers, numItems, userPtr, userItems) };
}

/** The item-oriented CSR of a user-oriented one; users come out ascending within each item. */
export function transpose(
  numUsers: number,
  numItems: number,
  userPtr: Int32Array,
  userItems: Int32Array,
): { itemPtr: Int32Array; itemUsers: Int32Array } {
  const itemPtr = new Int32Array(numItems + 1);
  for (let k = 0; k < userItems.length; k++) itemPtr[userItems[k]! + 1]!++;
  for (let i = 0; i < numItems; i++) itemPtr[i + 1]! += itemPtr[i]!;
  const fill = itemPtr.slice(0, numItems);
  const itemUsers = new Int32Array(userItems.length);
  for (let u = 0; u < numUsers; u++) {
    for (let k = userPtr[u]!; k < userPtr[u + 1]!; k++) itemUsers[fill[userItems[k]!]!++] = u;
  }
  return { itemPtr, itemUsers };
}

export function userActivity(m: Matrix, u: number): number {
  return m.userPtr[u + 1]! - m.userPtr[u]!;
}

export function itemPopularity(m: Matrix, i: number): number {
  return m.itemPtr[i + 1]! - m.itemPtr[i]!;
}
