namespace Kiln.Api.Types;

/// <summary>
/// Lotus <c>storiface.Range</c>: <c>{"Offset":1024,"Size":1024}</c>, an unpadded byte range of a sector's data
/// (named so it does not clash with <see cref="System.Range"/>).
/// </summary>
public readonly record struct UnpaddedRange(ulong Offset, ulong Size);
