namespace Kiln.Api.Types;

/// <summary>Lotus <c>storiface.HealthReport</c>: a path's <see cref="FsStat"/> and error text (<c>""</c> = healthy).</summary>
public sealed record HealthReport(FsStat Stat, string Err);
