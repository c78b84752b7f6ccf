/**
 * The user x item matrix in both orientations (CSR by user and by item). Duplicate (user, item) rows collapse
 * into one entry that keeps how often it happened and when it last happened. Lists are sorted ascending, so
 * every traversal happens in the same order on any machine.
 */
export interface Matrix {
  numUsers: number;
  numItems: number;
  /** userPtr[u]..userPtr[u+1] index userItems: the items u interacted with. */
  userPtr: Int32Array;
  userItems: Int32Array;
  /** Per entry of userItems: number of interactions, and the latest timestamp. */
  userCount: Float32Array;
  userLast: Float64Array;
  /** itemPtr[i]..itemPtr[i+1] index itemUsers: the users who interacted with i (and the entry values). */
  itemPtr: Int32Array;
  itemUsers: Int32Array;
  itemCount: Float32Array;
  itemLast: Float64Array;
  /** The latest timestamp in the matrix ("now" for recency). */
  maxTime: number;
}

export type UserSide = Pick<Matrix, 'numUsers' | 'numItems' | 'userPtr' | 'userItems' | 'userCount' | 'userLast' | 'maxTime'>;

/** Builds the matrix from row columns; rows where keep is given and keep[r] === 0 are left out. */
export function buildMatrix(numUsers: number, numItems: number, user: Int32Array, item: Int32Array, time: Float64Array, keep?: Uint8Array): Matrix {
  const n = user.length;
  // Counting sort of row numbers by user, then per user by (item, time) and collapse duplicates.
  const start = new Int32Array(numUsers + 1);
  for (let r = 0; r < n; r++) if (!keep || keep[r]) start[user[r]! + 1]!++;
  for (let u = 0; u < numUsers; u++) start[u + 1]! += start[u]!;
  const fill = start.slice(0, numUsers);
  const rows = new Int32Array(start[numUsers]!);
  for (let r = 0; r < n; r++) if (!keep || keep[r]) rows[fill[user[r]!]!++] = r;
  const userPtr = new Int32Array(numUsers + 1);
  const userItems = new Int32Array(rows.length);
  const userCount = new Float32Array(rows.length);
  const userLast = new Float64Array(rows.length);
  let maxTime = -Infinity;
  let w = 0;
  const byItem = (a: number, b: number) => item[a]! - item[b]!;
  for (let u = 0; u < numUsers; u++) {
    const seg = rows.subarray(start[u], start[u + 1]);
    seg.sort(byItem);
    let prev = -1;
    for (let k = 0; k < seg.length; k++) {
      const r = seg[k]!;
      const v = item[r]!;
      const t = time[r]!;
      if (t > maxTime) maxTime = t;
      if (v !== prev) {
        userItems[w] = v;
        userCount[w] = 1;
        userLast[w] = t;
        w++;
      } else {
        userCount[w - 1]! += 1;
        if (t > userLast[w - 1]!) userLast[w - 1] = t;
      }
      prev = v;
    }
    userPtr[u + 1] = w;
  }
  return completeMatrix({
    numUsers,
    numItems,
    userPtr,
    userItems: userItems.slice(0, w),
    userCount: userCount.slice(0, w),
    userLast: userLast.slice(0, w),
    maxTime: Number.isFinite(maxTime) ? maxTime : 0,
  });
}

/** Adds the item-oriented half to a user-oriented matrix; users come out ascending within each item. */
export function completeMatrix(m: UserSide): Matrix {
  const { numUsers, numItems, userPtr, userItems, userCount, userLast } = m;
  const itemPtr = new Int32Array(numItems + 1);
  for (let k = 0; k < userItems.length; k++) itemPtr[userItems[k]! + 1]!++;
  for (let i = 0; i < numItems; i++) itemPtr[i + 1]! += itemPtr[i]!;
  const fill = itemPtr.slice(0, numItems);
  const itemUsers = new Int32Array(userItems.length);
  const itemCount = new Float32Array(userItems.length);
  const itemLast = new Float64Array(userItems.length);
  for (let u = 0; u < numUsers; u++) {
    for (let k = userPtr[u]!; k < userPtr[u + 1]!; k++) {
      const p = fill[userItems[k]!]!++;
      itemUsers[p] = u;
      itemCount[p] = userCount[k]!;
      itemLast[p] = userLast[k]!;
    }
  }
  return { ...m, itemPtr, itemUsers, itemCount, itemLast };
}
