namespace Kiln.Stores.Local;

/// <summary>An acquire's answer: where each type's file is (or goes), and the id of the storage path holding it.</summary>
public sealed record AcquiredSector(SectorPaths Paths, SectorPaths StorageIds);
