namespace Kiln.Api.Types;

/// <summary>
/// Lotus <c>storiface.SectorStorageInfo</c>, a <c>StorageFindSector</c> answer: <c>URLs</c> point at the sector's file
/// (<c>&lt;base&gt;/&lt;type&gt;/s-t0&lt;miner&gt;-&lt;number&gt;</c>), <c>BaseURLs</c> at the path's <c>/remote</c> root.
/// </summary>
public sealed record SectorStorageInfo(
    StorageId ID,
    IReadOnlyList<string>? URLs,
    IReadOnlyList<string>? BaseURLs,
    ulong Weight,
    bool CanSeal,
    bool CanStore,
    bool Primary,
    IReadOnlyList<string>? AllowTypes,
    IReadOnlyList<string>? DenyTypes,
    IReadOnlyList<string>? AllowMiners,
    IReadOnlyList<string>? DenyMiners);
