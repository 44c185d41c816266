namespace Kiln.Api.Types;

/// <summary>Lotus <c>storiface.SecDataHttpHeader</c>: one HTTP header to send when downloading sector data.</summary>
public sealed record SecDataHttpHeader(string Key, string Value);
