namespace Kiln.Api.Types;

/// <summary>Lotus <c>storiface.StoragePath</c>: a worker's local path as its <c>Paths</c> method reports it.</summary>
public sealed record StoragePath(StorageId ID, ulong Weight, string LocalPath, bool CanSeal, bool CanStore);
