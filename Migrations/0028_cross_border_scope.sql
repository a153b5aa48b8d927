-- Cross-border transfer for every recipient kind (issue 22, part 6; 152-FZ Art. 12): the consent covers what it
-- allows — delivery data to couriers, the e-mail address and name to e-mail providers — and says so.
UPDATE purposes SET
    description = 'Transfer of personal data to recipients in countries without adequate protection: delivery data (name, phone, address) to couriers, the e-mail address and name to e-mail providers.',
    recipient_kinds = '{courier,email_provider,analytics,other}',
    data_categories = '{full_name,email,phone,delivery_address}',
    updated_at = now()
WHERE code = 'cross_border_transfer';
