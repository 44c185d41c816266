namespace Kiln.Testing.Chain;

/// <summary>A DeclareFaults (method 10) message as the stand-in decoded it at push.
/// Params: The raw params bytes.
/// </summary>
public sealed record DecodedFaultDeclarations(string MessageCid, string From, string To, byte[] Params, IReadOnlyList<DecodedDeclaration> Declarations);
