namespace Kiln.Api.Types;

/// <summary>
/// Lotus <c>fsutil.FsStat</c> (int64 bytes): <c>Available</c> is what sector storage may still use (filesystem space
/// minus reservations, capped by <c>MaxStorage</c>), <c>FSAvailable</c> the filesystem's own figure; <c>Max</c> and
/// <c>Used</c> are non-zero only when the path has a <c>MaxStorage</c>.
/// </summary>
public readonly record struct FsStat(long Capacity, long Available, long FSAvailable, long Reserved, long Max, long Used);
