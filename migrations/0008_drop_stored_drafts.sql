-- Drafts are computed when read and no longer stored: a read writes nothing. The rows earlier versions
-- wrote on every read (for any month asked about) are stale copies; their lines go with them.
delete from invoices where status = 'draft';
