using Kiln.Api.Types;

namespace Kiln.Stores.Index;

/// <summary>One declaration of a single file type of a sector in a path (Lotus <c>declMeta</c> under its <c>Decl</c> key).</summary>
internal readonly record struct SectorDecl(SectorFileType FileType, StorageId Storage, bool Primary);
