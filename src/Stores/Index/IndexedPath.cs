using Kiln.Api.Types;

namespace Kiln.Stores.Index;

/// <summary>One path as the index holds it (Lotus <c>storageEntry</c>): settings, last stat, error text, last heartbeat.</summary>
internal sealed record IndexedPath(StorageInfo Info, FsStat Stat, string Err, DateTimeOffset LastHeartbeat);
