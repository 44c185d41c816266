namespace Kiln.Api.Types;

/// <summary>
/// Lotus <c>storiface.StorageInfo</c>: a storage path as the sector index knows it. <c>Weight</c> 0 = read-only,
/// <c>MaxStorage</c> 0 = unlimited; <c>AllowTypes</c>/<c>DenyTypes</c> hold <see cref="SectorFileTypes"/> names,
/// <c>AllowMiners</c>/<c>DenyMiners</c> miner addresses (<c>"f01000"</c>). Lists are null when Go's slices are nil.
/// </summary>
public sealed record StorageInfo(
    StorageId ID,
    IReadOnlyList<string>? URLs,
    ulong Weight,
    ulong MaxStorage,
    bool CanSeal,
    bool CanStore,
    IReadOnlyList<string>? Groups,
    IReadOnlyList<string>? AllowTo,
    IReadOnlyList<string>? AllowTypes,
    IReadOnlyList<string>? DenyTypes,
    IReadOnlyList<string>? AllowMiners,
    IReadOnlyList<string>? DenyMiners);
