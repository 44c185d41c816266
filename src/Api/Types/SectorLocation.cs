namespace Kiln.Api.Types;

/// <summary>
/// Lotus <c>storiface.SectorLocation</c>: where <c>DownloadSectorData</c> fetches one file type from.
/// <c>Local</c> means the URL is reachable only from the miner's own network (not used by workers).
/// </summary>
public sealed record SectorLocation(bool Local, string URL, IReadOnlyList<SecDataHttpHeader>? Headers);
